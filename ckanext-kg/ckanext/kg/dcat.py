"""DCAT-AP 3 for the data-exchange code's fields (a ckanext-dcat profile).

Runs after ckanext-dcat's `euro_dcat_ap_3` profile (`ckanext.dcat.rdf.profiles
= euro_dcat_ap_3 kg_dcat_ap`) and states what that profile cannot know:
titles, descriptions and keywords of datasets and of their distributions
(each table's name and description per language) as language-tagged
literals (@ky, @ru, @en), the publisher's names in three languages, the contact point's class, the
EU vocabularies for theme, frequency and access rights, the temporal
coverage, and the spatial coverage as locations named by their
administrative-division codes (skos:notation) and names.

A dataset's `sources` are not written as dct:source: DCAT-AP 3 gives it the
range dcat:Dataset, and a producer's page described as a dataset fails the
mandatory properties of SEMIC's shapes (description, among others).
"""
from __future__ import annotations

from rdflib import RDFS, BNode, Literal, URIRef

from ckanext.dcat.profiles import DCAT, DCT, FOAF, RDF, SKOS, VCARD, XSD
from ckanext.dcat.profiles.base import CleanedURIRef, RDFProfile
from ckanext.dcat.utils import resource_uri
from ckanext.kg import code, sources

EU = "http://publications.europa.eu/resource/authority/"
ACCESS_RIGHTS = {"open": "PUBLIC", "restricted": "RESTRICTED",
                 "confidential": "NON_PUBLIC"}
LICENSES = {
    "cc-by": "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
    "cc-zero": "http://publications.europa.eu/resource/authority/licence/CC0",
    "odc-by": "http://publications.europa.eu/resource/authority/licence/ODC_BY",
    "odc-odbl": "http://publications.europa.eu/resource/authority/licence/ODC_BL",
    "odc-pddl": "http://publications.europa.eu/resource/authority/licence/ODC_PDDL",
}


# The catalogue's own name and description, in each language (DCAT-AP
# requires both for a catalogue).
CATALOGUE = {
    "title": {"ky": "Кыргыз Республикасынын ачык маалыматтары",
              "ru": "Открытые данные Кыргызской Республики",
              "en": "Open data of the Kyrgyz Republic"},
    "description": {
        "ky": "Мамлекеттик органдардын маалымат алмашуу кодексине ылайык "
              "жарыяланган ачык маалыматтар топтомдору.",
        "ru": "Открытые наборы данных государственных органов, опубликованные "
              "по кодексу обмена данными.",
        "en": "Open datasets of government bodies, published under the "
              "data-exchange code."},
}


class KgDCATAPProfile(RDFProfile):
    """Language-tagged metadata and the code's vocabularies."""

    def graph_from_catalog(self, catalog_dict: dict, catalog_ref: URIRef) -> None:
        for key, predicate in (("title", DCT.title), ("description", DCT.description)):
            self.g.remove((catalog_ref, predicate, None))
            for lang, text in CATALOGUE[key].items():
                self.g.add((catalog_ref, predicate, Literal(text, lang=lang)))
        # the interface's languages, as EU language IRIs (not the locale code)
        self.g.remove((catalog_ref, DCT.language, None))
        for lang in code.LANGUAGES:
            language = URIRef(f"{EU}language/{_ISO_639_3[lang]}")
            self.g.add((catalog_ref, DCT.language, language))
            self.g.add((language, RDF.type, DCT.LinguisticSystem))
        for homepage in self.g.objects(catalog_ref, FOAF.homepage):
            self.g.add((homepage, RDF.type, FOAF.Document))
        self._catalog_publisher(catalog_ref)

    def _catalog_publisher(self, ref: URIRef) -> None:
        import ckan.plugins.toolkit as tk
        names = _per_language(tk.config.get("ckanext.kg.catalog.publisher_name") or "")
        if not names:
            return
        url = tk.config.get("ckanext.kg.catalog.publisher_url")
        agent = URIRef(url) if url else BNode()
        self.g.remove((ref, DCT.publisher, None))
        self.g.add((ref, DCT.publisher, agent))
        self.g.add((agent, RDF.type, FOAF.Agent))
        for lang, name in names.items():
            self.g.add((agent, FOAF.name, Literal(name, lang=lang)))

    def graph_from_dataset(self, dataset_dict: dict, dataset_ref: URIRef) -> None:
        self._language_literals(dataset_dict, dataset_ref)
        self._distribution_literals(dataset_dict)
        self._publisher(dataset_dict, dataset_ref)
        self._contact_point(dataset_dict, dataset_ref)
        self._vocabularies(dataset_dict, dataset_ref)
        self._coverage(dataset_dict, dataset_ref)
        self._distribution_formats(dataset_ref)
        self._vocabulary_classes(dataset_ref)

    def _language_literals(self, dataset: dict, ref: URIRef) -> None:
        titles = code.translated(dataset.get("title_translated"))
        notes = code.translated(dataset.get("notes_translated"))
        keywords = code.translated(dataset.get("keywords"))
        if titles:
            self.g.remove((ref, DCT.title, None))
        if notes:
            self.g.remove((ref, DCT.description, None))
        if keywords:
            self.g.remove((ref, DCAT.keyword, None))
        for lang in code.LANGUAGES:
            if titles.get(lang):
                self.g.add((ref, DCT.title, Literal(titles[lang], lang=lang)))
            if notes.get(lang):
                self.g.add((ref, DCT.description, Literal(notes[lang], lang=lang)))
            for word in keywords.get(lang) or []:
                self.g.add((ref, DCAT.keyword, Literal(word, lang=lang)))
            if titles.get(lang) or notes.get(lang):
                self.g.add((ref, DCT.language,
                            URIRef(f"{EU}language/{_ISO_639_3[lang]}")))

    def _distribution_literals(self, dataset: dict) -> None:
        """Each distribution's title and description in every language the
        resource gives (`name_translated`, `description_translated`); a
        plain literal of CKAN's own field where it gives none."""
        for resource in dataset.get("resources") or []:
            ref = CleanedURIRef(resource_uri(resource))
            for key, predicate in (("name", DCT.title), ("description", DCT.description)):
                self.g.remove((ref, predicate, None))
                for literal in _literals(resource, key):
                    self.g.add((ref, predicate, literal))

    def _publisher(self, dataset: dict, ref: URIRef) -> None:
        import ckan.plugins.toolkit as tk
        if not dataset.get("owner_org"):
            return
        org = tk.get_action("organization_show")(
            {"ignore_auth": True}, {"id": dataset["owner_org"], "include_datasets": False,
                                    "include_users": False})
        names = code.translated(org.get("title_translated"))
        if not names:
            return
        for publisher in self.g.objects(ref, DCT.publisher):
            self.g.remove((publisher, FOAF.name, None))
            for lang in code.LANGUAGES:
                if names.get(lang):
                    self.g.add((publisher, FOAF.name, Literal(names[lang], lang=lang)))

    def _contact_point(self, dataset: dict, ref: URIRef) -> None:
        """One contact point (rule 2.2): euro_dcat_ap_3 writes contact_name
        and contact_email (vcard:fn, vcard:hasEmail) as a vcard:Organization;
        added here are DCAT-AP's class vcard:Kind (no vCard ontology is
        loaded to infer it) and the contact web page as vcard:hasURL."""
        contacts = list(self.g.objects(ref, DCAT.contactPoint))
        url = (dataset.get("contact_url") or "").strip()
        url = url if sources.is_http_url(url) else ""
        if not contacts and url:
            contacts = [BNode()]
            self.g.add((ref, DCAT.contactPoint, contacts[0]))
        for contact in contacts:
            self.g.add((contact, RDF.type, VCARD.Kind))
            if url:
                self.g.add((contact, VCARD.hasURL, URIRef(url)))

    def _vocabularies(self, dataset: dict, ref: URIRef) -> None:
        # euro_dcat_ap_3 reads `theme` and `frequency` as URIs; ours are codes
        self.g.remove((ref, DCAT.theme, None))
        self.g.remove((ref, DCT.accrualPeriodicity, None))
        if dataset.get("theme"):
            theme = URIRef(f"{EU}data-theme/{dataset['theme']}")
            self.g.add((ref, DCAT.theme, theme))
            for lang, label in _theme_labels().get(dataset["theme"], {}).items():
                self.g.add((theme, SKOS.prefLabel, Literal(label, lang=lang)))
        if dataset.get("frequency"):
            self.g.add((ref, DCT.accrualPeriodicity,
                        URIRef(f"{EU}frequency/{dataset['frequency']}")))
        access = ACCESS_RIGHTS.get(dataset.get("access_level") or "")
        if access:
            self.g.add((ref, DCT.accessRights, URIRef(f"{EU}access-right/{access}")))
        license_uri = LICENSES.get(dataset.get("license_id") or "")
        if license_uri:
            for distribution in self.g.objects(ref, DCAT.distribution):
                self.g.remove((distribution, DCT.license, None))
                self.g.add((distribution, DCT.license, URIRef(license_uri)))

    def _coverage(self, dataset: dict, ref: URIRef) -> None:
        if dataset.get("temporal_start") or dataset.get("temporal_end"):
            period = BNode()
            self.g.add((ref, DCT.temporal, period))
            self.g.add((period, RDF.type, DCT.PeriodOfTime))
            for key, predicate in (("temporal_start", DCAT.startDate),
                                   ("temporal_end", DCAT.endDate)):
                if dataset.get(key):
                    self.g.add((period, predicate,
                                Literal(dataset[key][:10], datatype=XSD.date)))
        spatial = code.as_list(dataset.get("spatial_divisions"))
        from kg_validation.codelist import admin_divisions
        divisions = admin_divisions()
        for division_code in spatial:
            location = BNode()
            self.g.add((ref, DCT.spatial, location))
            self.g.add((location, RDF.type, DCT.Location))
            self.g.add((location, SKOS.notation, Literal(division_code)))
            division = divisions.get(division_code)
            if division:
                self.g.add((location, SKOS.prefLabel, Literal(division.name_ky, lang="ky")))
                self.g.add((location, SKOS.prefLabel, Literal(division.name_en, lang="en")))


    def _distribution_formats(self, ref: URIRef) -> None:
        """A format as the EU file-type IRI; one the authority table lacks
        as a node that keeps its name (DCAT-AP's range is a resource)."""
        for distribution in self.g.objects(ref, DCAT.distribution):
            for value in list(self.g.objects(distribution, DCT["format"])):
                if not isinstance(value, Literal):
                    continue
                self.g.remove((distribution, DCT["format"], value))
                name = str(value).strip().upper().lstrip(".")
                if name in FILE_TYPES:
                    node = URIRef(f"{EU}file-type/{name}")
                else:
                    node = BNode()
                    self.g.add((node, RDFS.label, Literal(str(value))))
                self.g.add((distribution, DCT["format"], node))

    def _vocabulary_classes(self, ref: URIRef) -> None:
        """The class of each controlled-vocabulary value used, as DCAT-AP's
        shapes check it, so that the output describes itself without the
        EU vocabularies loaded beside it."""
        for predicate, cls in _VOCABULARY_CLASSES["dataset"]:
            for value in self.g.objects(ref, predicate):
                self.g.add((value, RDF.type, cls))
        for distribution in self.g.objects(ref, DCAT.distribution):
            for predicate, cls in _VOCABULARY_CLASSES["distribution"]:
                for value in self.g.objects(distribution, predicate):
                    self.g.add((value, RDF.type, cls))


def _literals(resource: dict, key: str) -> list[Literal]:
    """A resource's `key` (name, description) as literals: one per language
    of `<key>_translated`, else CKAN's own field without a language."""
    texts = code.translated(resource.get(f"{key}_translated"))
    tagged = [Literal(texts[lang].strip(), lang=lang) for lang in code.LANGUAGES
              if isinstance(texts.get(lang), str) and texts[lang].strip()]
    plain = (resource.get(key) or "").strip() if isinstance(resource.get(key), str) else ""
    return tagged or ([Literal(plain)] if plain else [])


def _per_language(value: str) -> dict[str, str]:
    """`ky:Аты|ru:Название` as {"ky": "Аты", "ru": "Название"}."""
    names = {}
    for part in value.split("|"):
        lang, _, text = part.partition(":")
        if lang.strip() in code.LANGUAGES and text.strip():
            names[lang.strip()] = text.strip()
    return names


def _theme_labels() -> dict[str, dict[str, str]]:
    """The code's themes (the EU data themes) with their labels per language,
    from the dataset schema."""
    from ckanext.scheming.helpers import scheming_field_by_name, scheming_get_dataset_schema
    schema = scheming_get_dataset_schema("dataset") or {}
    field = scheming_field_by_name(schema.get("dataset_fields", []), "theme") or {}
    return {c["value"]: c["label"] for c in field.get("choices", [])
            if isinstance(c.get("label"), dict)}


# File types of the EU authority table that the portal's resources use.
FILE_TYPES = frozenset({"CSV", "TSV", "XLSX", "XLS", "ODS", "JSON", "GEOJSON", "XML",
                        "PDF", "ZIP", "PARQUET", "HTML", "TXT"})

_VOCABULARY_CLASSES = {
    "dataset": [(DCAT.theme, SKOS.Concept), (DCT.accessRights, DCT.RightsStatement),
                (DCT.accrualPeriodicity, DCT.Frequency),
                (DCT.language, DCT.LinguisticSystem)],
    "distribution": [(DCT.license, DCT.LicenseDocument),
                     (DCT["format"], DCT.MediaTypeOrExtent),
                     (DCAT.mediaType, DCT.MediaType),
                     (DCT.language, DCT.LinguisticSystem)],
}

_ISO_639_3 = {"ky": "KIR", "ru": "RUS", "en": "ENG"}

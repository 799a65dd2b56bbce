"""DCAT-AP 3 for the data-exchange code's fields (a ckanext-dcat profile).

Runs after ckanext-dcat's `euro_dcat_ap_3` profile (`ckanext.dcat.rdf.profiles
= euro_dcat_ap_3 kg_dcat_ap`) and states what that profile cannot know:
titles, descriptions and keywords as language-tagged literals (@ky, @ru,
@en), the publisher's names in three languages, the contact point's class, the
EU vocabularies for theme, frequency and access rights, the temporal
coverage, and the spatial coverage as locations named by their
administrative-division codes (skos:notation) and names.
"""
from __future__ import annotations

from rdflib import BNode, Literal, URIRef

from ckanext.dcat.profiles import DCAT, DCT, FOAF, RDF, SKOS, VCARD, XSD
from ckanext.dcat.profiles.base import RDFProfile
from ckanext.kg import code

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

    def graph_from_dataset(self, dataset_dict: dict, dataset_ref: URIRef) -> None:
        self._language_literals(dataset_dict, dataset_ref)
        self._publisher(dataset_dict, dataset_ref)
        self._contact_point(dataset_dict, dataset_ref)
        self._vocabularies(dataset_dict, dataset_ref)
        self._coverage(dataset_dict, dataset_ref)

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
        """euro_dcat_ap_3 writes contact_name/contact_email as a
        vcard:Organization; DCAT-AP's range is vcard:Kind, stated here since
        no vCard ontology is loaded to infer it."""
        for contact in self.g.objects(ref, DCAT.contactPoint):
            self.g.add((contact, RDF.type, VCARD.Kind))

    def _vocabularies(self, dataset: dict, ref: URIRef) -> None:
        # euro_dcat_ap_3 reads `theme` and `frequency` as URIs; ours are codes
        self.g.remove((ref, DCAT.theme, None))
        self.g.remove((ref, DCT.accrualPeriodicity, None))
        if dataset.get("theme"):
            self.g.add((ref, DCAT.theme, URIRef(f"{EU}data-theme/{dataset['theme']}")))
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


_ISO_639_3 = {"ky": "KIR", "ru": "RUS", "en": "ENG"}

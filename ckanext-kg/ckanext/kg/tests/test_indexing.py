from ckanext.kg import indexing


def test_the_search_document_has_each_language_and_division_as_its_own_field():
    doc = {
        "name": "kalk",
        "title_translated": '{"ky": "Калк", "ru": "Население", "en": ""}',
        "notes_translated": '{"ky": "Калктын саны", "ru": "Численность"}',
        "keywords": '{"ky": ["калк"], "ru": ["население", "перепись"]}',
        "spatial_divisions": '["KG08000000000", "KG02000000000"]',
        "extras_title_translated": '{"ky": "Калк"}',
        "extras_spatial_divisions": '["KG08000000000"]',
        "theme": "SOCI",
    }
    assert indexing.search_document(doc) == {
        "name": "kalk",
        "title_ky": "Калк", "title_ru": "Население",
        "notes_ky": "Калктын саны", "notes_ru": "Численность",
        "keywords_ky": ["калк"], "keywords_ru": ["население", "перепись"],
        "spatial_divisions": ["KG08000000000", "KG02000000000"],
        "theme": "SOCI",
    }


def test_a_dataset_without_divisions_gets_an_empty_list():
    assert indexing.search_document({"name": "x"}) == {"name": "x", "spatial_divisions": []}


def test_each_language_of_a_tables_name_and_description_is_searchable_text():
    import json
    dataset = {"resources": [
        {"name": "population", "name_translated": {"ky": "Облустардын калкы",
                                                   "ru": "Население областей"},
         "description_translated": {"ky": "Жыл сайын."}},
        {"name": "towns", "name_translated": {}, "description_translated": {}}]}
    doc = {"name": "x", "res_name": ["population", "towns"], "res_description": ["", ""],
           "validated_data_dict": json.dumps(dataset)}
    shown = indexing.search_document(doc)
    assert (shown["res_name"], shown["res_description"]) == (
        ["population", "towns", "Облустардын калкы", "Население областей"],
        ["", "", "Жыл сайын."])

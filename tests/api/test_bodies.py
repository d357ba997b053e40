"""The OpenAPI document's body schemas are the models the views parse with: one definition."""

from __future__ import annotations

from graphnode.api.bodies import REQUEST_BODIES, SearchRequest
from graphnode.api.openapi import component_schemas, openapi_document
from graphnode.contracts import GenerationOptions
from graphnode.settings import Settings


def _refs(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if "$ref" in node else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def test_every_request_schema_is_its_model_schema():
    schemas = component_schemas()
    for model in REQUEST_BODIES:
        expected = model.model_json_schema(by_alias=True, mode="validation")
        assert schemas[model.__name__] == expected


def test_the_generation_options_are_the_contract_model():
    options = component_schemas()["GenerationOptions"]
    assert options["additionalProperties"] is False
    assert set(options["properties"]) == {
        field.alias for field in GenerationOptions.model_fields.values()
    }
    assert SearchRequest.model_json_schema()["properties"]["limit"]["maximum"] == 50


def test_every_reference_in_the_document_resolves():
    document = openapi_document(Settings.from_env({}))
    assert _refs(document) <= set(document["components"]["schemas"])

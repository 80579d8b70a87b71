from tests.api.conftest import as_user  # noqa: F401 - the personas' API clients, for the API tests here

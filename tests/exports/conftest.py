import pytest

from tests.app.live import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with LiveServer(data_dir=str(tmp_path_factory.mktemp("datasets"))) as live:
        yield live

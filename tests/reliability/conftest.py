import pytest

from tests.app.conftest import run  # noqa: F401  (the bounded coroutine runner, shared)
from tests.app.live import LiveServer
from tests.serve import ServerProcess

MAX_MESSAGE_BYTES = 8192  # small, so oversize messages are cheap to send by the thousand


@pytest.fixture(scope="package")
def proc_server():
    """One ``nnlive serve`` subprocess for the fuzzing and numeric tests; its log must
    stay free of tracebacks, errors and warnings whatever the clients sent."""
    with ServerProcess(NNLIVE_MAX_MESSAGE_BYTES=str(MAX_MESSAGE_BYTES)) as srv:
        yield srv
        srv.assert_alive_and_clean()


@pytest.fixture(scope="package")
def server():
    """An in-process server (tests/app/live.py) for tests that look inside it."""
    with LiveServer() as live:
        yield live

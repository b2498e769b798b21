import asyncio

import pytest

from tests.app.live import LiveServer


@pytest.fixture(scope="session")
def server():
    """One shared server for tests that do not change settings."""
    with LiveServer() as live:
        yield live


@pytest.fixture
def run():
    """Run a coroutine to completion, bounded in time."""
    def runner(coro, timeout: float = 30):
        return asyncio.run(asyncio.wait_for(coro, timeout))
    return runner

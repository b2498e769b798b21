"""Records in Redis (``NNLIVE_REDIS_URL``): the store for several machines.

Each record is a hash ``nnlive:r:KIND:KEY`` (``owner``, ``attached``, ``saved_at``,
``meta``, ``size``, ``n`` and the parts ``p0``, ``p1``, …) expiring ``retention`` after
its last write. Beside them: ``nnlive:index`` (records by age), ``nnlive:sizes`` and
``nnlive:total`` (their sizes, for the bounds) and ``nnlive:workers`` (heartbeats:
``seen sessions group``). Every operation is one Lua script, so ownership is checked and
changed atomically, as the rules in ``base.py`` say. Redis itself should keep its data
(``--appendonly yes``) for runs to outlive a restart of Redis.
"""

from __future__ import annotations

import json

from app.live.store.base import (
    WORKER_FORGET,
    WORKER_TIMEOUT,
    Beat,
    Claimed,
    Fault,
    Gone,
    Limits,
    NotOwner,
    Others,
    Put,
    Stored,
    StoreFault,
)

PREFIX = "nnlive:r:"
INDEX, SIZES, TOTAL, WORKERS = "nnlive:index", "nnlive:sizes", "nnlive:total", "nnlive:workers"
TIMEOUT = 2.0  # seconds for one round trip or connection
_ALIVE = """
local function alive(workers, id, now, timeout)
  local w = redis.call('HGET', workers, id)
  return w and cjson.decode(w).seen >= now - timeout
end
"""
_PUT = """
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= '' and owner ~= ARGV[1] then return -1 end
local first, n = tonumber(ARGV[6]), tonumber(ARGV[7])
if not owner and first > 0 then return -4 end
local size = string.len(ARGV[5])
for i = 0, first - 1 do size = size + redis.call('HSTRLEN', KEYS[1], 'p' .. i) end
for i = 12, #ARGV do size = size + string.len(ARGV[i]) end
if size > tonumber(ARGV[8]) then return -2 end
local old = tonumber(redis.call('HGET', KEYS[3], ARGV[11]) or '0')
local total = tonumber(redis.call('GET', KEYS[4]) or '0')
if total - old + size > tonumber(ARGV[9]) then return -3 end
local old_n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
for i = n, old_n - 1 do redis.call('HDEL', KEYS[1], 'p' .. i) end
for i = 12, #ARGV do redis.call('HSET', KEYS[1], 'p' .. (first + i - 12), ARGV[i]) end
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'attached', ARGV[3], 'saved_at', ARGV[4],
           'meta', ARGV[5], 'n', n, 'size', size)
redis.call('PEXPIRE', KEYS[1], ARGV[10])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[11])
redis.call('HSET', KEYS[3], ARGV[11], size)
redis.call('INCRBY', KEYS[4], size - old)
return 0
"""
_CLAIM = _ALIVE + """
local h = redis.call('HMGET', KEYS[1], 'owner', 'attached', 'n', 'meta', 'saved_at')
if not h[1] then return {0} end
if h[1] ~= '' and h[1] ~= ARGV[1] and h[2] == '1' and ARGV[2] == '0'
   and alive(KEYS[2], h[1], tonumber(ARGV[3]), tonumber(ARGV[4])) then return {1} end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'attached', '1')
local out = {2, h[1], h[2], h[5], h[4]}
for i = 0, tonumber(h[3]) - 1 do table.insert(out, redis.call('HGET', KEYS[1], 'p' .. i)) end
return out
"""
_DELETE = """
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and (owner == '' or owner == ARGV[1]) then
  local size = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
  redis.call('HDEL', KEYS[3], ARGV[2])
  redis.call('DECRBY', KEYS[4], size)
end
return 0
"""
_HEARTBEAT = """
-- KEYS: workers, then this worker's sessions; ARGV: worker, its beat (JSON), now,
-- timeout, forget
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local me = cjson.decode(ARGV[2])
local now, timeout, forget = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local others, crowds = 0, {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local w = cjson.decode(all[i + 1])
  if w.seen < now - forget then redis.call('HDEL', KEYS[1], all[i])
  elseif all[i] ~= ARGV[1] and w.group == me.group and w.seen >= now - timeout then
    others = others + w.sessions
    for address, n in pairs(w.crowds) do crowds[address] = (crowds[address] or 0) + n end
  end
end
local lost = {}
for i = 2, #KEYS do
  local o = redis.call('HGET', KEYS[i], 'owner')
  if o and o ~= '' and o ~= ARGV[1] then table.insert(lost, i - 1) end
end
return {others, cjson.encode(crowds), lost}
"""
_TRIM = _ALIVE + """
-- KEYS: index, sizes, total, workers; ARGV: now, retention, max_bytes, timeout, prefix
local now, timeout = tonumber(ARGV[1]), tonumber(ARGV[4])
local removed = 0
local function drop(member)
  redis.call('DEL', ARGV[5] .. member)
  redis.call('ZREM', KEYS[1], member)
  redis.call('HDEL', KEYS[2], member)
  removed = removed + 1
end
local function at_rest(member)
  local owner = redis.call('HGET', ARGV[5] .. member, 'owner')
  return not owner or owner == '' or not alive(KEYS[4], owner, now, timeout)
end
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf',
                                   now - tonumber(ARGV[2]), 'LIMIT', 0, 1000)) do
  if at_rest(member) then drop(member) end
end
local total = 0
local sizes = redis.call('HGETALL', KEYS[2])
for i = 1, #sizes, 2 do
  if redis.call('EXISTS', ARGV[5] .. sizes[i]) == 1 then total = total + tonumber(sizes[i + 1])
  else drop(sizes[i]) end
end
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, 999)) do
  if total <= tonumber(ARGV[3]) then break end
  if at_rest(member) then
    total = total - tonumber(redis.call('HGET', KEYS[2], member) or '0')
    drop(member)
  end
end
redis.call('SET', KEYS[3], total)
return removed
"""


class RedisBackend:
    def __init__(self, url: str):
        import redis  # only when configured

        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_timeout=TIMEOUT,
                                           socket_connect_timeout=TIMEOUT)
        self.scripts = {name: self.client.register_script(src) for name, src in (
            ("put", _PUT), ("claim", _CLAIM), ("delete", _DELETE),
            ("heartbeat", _HEARTBEAT), ("trim", _TRIM))}

    def _run(self, name: str, keys: list, args: list, client=None):
        try:
            return self.scripts[name](keys=keys, args=args, client=client)
        except self.errors as exc:
            raise StoreFault(Fault.UNAVAILABLE, f"redis: {exc}") from exc

    def put_many(self, puts: list[Put], worker: str, limits: Limits,
                 now: float) -> list[Exception | None]:
        """Every put in one round trip; one refused for the whole bound is tried again
        once the oldest records at rest have made room for it."""
        results = self._put_all(puts, worker, limits)
        for i, (put, result) in enumerate(zip(puts, results)):
            if isinstance(result, StoreFault) and result.fault is Fault.STORE_FULL:
                room = limits.max_bytes - len(put.meta) - sum(map(len, put.parts))
                self.trim(Limits(limits.run_bytes, max(0, room), limits.retention), now)
                results[i] = self._put_all([put], worker, limits)[0]
        return results

    def _put_all(self, puts: list[Put], worker: str, limits: Limits) -> list:
        pipe = self.client.pipeline(transaction=False)
        for put in puts:
            member = f"{put.kind}:{put.key}"
            self._run("put", [PREFIX + member, INDEX, SIZES, TOTAL],
                      [worker, put.owner, int(put.attached), put.saved_at, put.meta,
                       put.first_part, put.n_parts, limits.run_bytes, limits.max_bytes,
                       max(1, int(limits.retention * 1000)), member, *put.parts], pipe)
        try:
            codes = pipe.execute(raise_on_error=False)
        except self.errors as exc:
            raise StoreFault(Fault.UNAVAILABLE, f"redis: {exc}") from exc
        return [_outcome(code, put.key) for code, put in zip(codes, puts)]

    def claim(self, kind: str, key: str, worker: str, force: bool,
              now: float) -> tuple[Claimed, Stored | None]:
        out = self._run("claim", [PREFIX + f"{kind}:{key}", WORKERS],
                        [worker, int(force), now, WORKER_TIMEOUT])
        if out[0] != Claimed.TAKEN.value:
            return Claimed(out[0]), None
        owner, attached, saved_at, meta, *parts = out[1:]
        return Claimed.TAKEN, Stored(kind, key, owner.decode(), attached == b"1",
                                     float(saved_at), meta, list(parts))

    def owner(self, kind: str, key: str) -> str | None:
        try:
            owner = self.client.hget(PREFIX + f"{kind}:{key}", "owner")
        except self.errors as exc:
            raise StoreFault(Fault.UNAVAILABLE, f"redis: {exc}") from exc
        return owner.decode() if owner is not None else None

    def delete(self, kind: str, key: str, worker: str) -> None:
        member = f"{kind}:{key}"
        self._run("delete", [PREFIX + member, INDEX, SIZES, TOTAL], [worker, member])

    def heartbeat(self, beat: Beat, now: float) -> Others:
        me = json.dumps({"seen": now, "sessions": beat.sessions, "group": beat.group,
                         "crowds": beat.crowds})
        others, crowds, lost = self._run(
            "heartbeat", [WORKERS, *(PREFIX + f"session:{k}" for k in beat.keys)],
            [beat.worker, me, now, WORKER_TIMEOUT, WORKER_FORGET])
        crowds = {k: int(v) for k, v in json.loads(crowds).items()}
        return Others(int(others), crowds, [beat.keys[i - 1] for i in lost])

    def trim(self, limits: Limits, now: float) -> int:
        return int(self._run("trim", [INDEX, SIZES, TOTAL, WORKERS],
                             [now, limits.retention, limits.max_bytes, WORKER_TIMEOUT,
                              PREFIX]))

    def leave(self, worker: str) -> None:
        try:
            self.client.hdel(WORKERS, worker)
        except self.errors as exc:
            raise StoreFault(Fault.UNAVAILABLE, f"redis: {exc}") from exc

    def close(self) -> None:
        self.client.close()


def _outcome(code, key: str) -> Exception | None:
    if isinstance(code, Exception):
        return StoreFault(Fault.UNAVAILABLE, f"redis: {code}")
    return {0: None, -1: NotOwner(key), -2: StoreFault(Fault.TOO_LARGE),
            -3: StoreFault(Fault.STORE_FULL), -4: Gone(key)}[int(code)]

/* The Lua scripts of the Redis queue backend (queue_redis.c). Each runs
 * atomically on the server (EVAL), so every step that reads a task's state
 * and then changes it is one script. Keys are passed in KEYS, except the
 * task hashes the reap script finds in a processing list ("jt:task:" ..
 * id). Internal to harness/serve/. */
#ifndef JT_QUEUE_REDIS_LUA_H
#define JT_QUEUE_REDIS_LUA_H

/* KEYS: task, queue:validate, queue:measure, the kind's queue.
 * ARGV: max_queued (0: none), kind, request, created, id.
 * 0 full, 1 accepted. */
#define JT_REDIS_LUA_SUBMIT                                                                   \
    "local max = tonumber(ARGV[1])\n"                                                         \
    "if max > 0 and redis.call('LLEN', KEYS[2]) + redis.call('LLEN', KEYS[3]) >= max then\n"  \
    "  return 0\n"                                                                            \
    "end\n"                                                                                   \
    "if redis.call('EXISTS', KEYS[1]) == 1 then\n"                                            \
    "  return redis.error_reply('task ' .. ARGV[5] .. ' exists already')\n"                   \
    "end\n"                                                                                   \
    "redis.call('HSET', KEYS[1], 'kind', ARGV[2], 'state', 'queued', 'request', ARGV[3],\n"   \
    "           'attempts', '0', 'created', ARGV[4])\n"                                       \
    "redis.call('RPUSH', KEYS[4], ARGV[5])\n"                                                 \
    "return 1\n"

/* KEYS: task, processing:W, workers.  ARGV: id, W, started.
 * A queued task becomes W's running attempt: its fields (HGETALL). Else nil,
 * and the id leaves W's processing list unless it is W's running task. */
#define JT_REDIS_LUA_CLAIM                                                                    \
    "local f = redis.call('HMGET', KEYS[1], 'state', 'worker')\n"                             \
    "if f[1] ~= 'queued' then\n"                                                              \
    "  if not (f[1] == 'running' and f[2] == ARGV[2]) then\n"                                 \
    "    redis.call('LREM', KEYS[2], 0, ARGV[1])\n"                                           \
    "  end\n"                                                                                 \
    "  return false\n"                                                                        \
    "end\n"                                                                                   \
    "redis.call('HINCRBY', KEYS[1], 'attempts', 1)\n"                                         \
    "redis.call('HSET', KEYS[1], 'state', 'running', 'worker', ARGV[2], 'started', ARGV[3])\n" \
    "redis.call('SADD', KEYS[3], ARGV[2])\n"                                                  \
    "return redis.call('HGETALL', KEYS[1])\n"

/* KEYS: task, processing:W.  ARGV: W, attempts, state, finished, id[, result].
 * 1 ended, 0 not W's attempt (any more). */
#define JT_REDIS_LUA_FINISH                                                                   \
    "local f = redis.call('HMGET', KEYS[1], 'state', 'worker', 'attempts')\n"                 \
    "if f[1] ~= 'running' or f[2] ~= ARGV[1] or f[3] ~= ARGV[2] then\n"                       \
    "  return 0\n"                                                                            \
    "end\n"                                                                                   \
    "redis.call('HSET', KEYS[1], 'state', ARGV[3], 'finished', ARGV[4])\n"                    \
    "if ARGV[6] then redis.call('HSET', KEYS[1], 'result', ARGV[6]) end\n"                    \
    "redis.call('LREM', KEYS[2], 0, ARGV[5])\n"                                               \
    "return 1\n"

/* KEYS: processing:W, queue:validate, queue:measure, workers, worker:W, alive:W.
 * ARGV: W, now, re-run note, died-twice note, the failed result.
 * -1 when W is alive; else the number of W's running tasks given back or
 * failed. A first death puts the task back at the front of its queue, a
 * second fails it; an id moved but never claimed goes back unchanged.
 * Popped from the right and pushed on the left, W's tasks keep their order. */
#define JT_REDIS_LUA_REAP                                                                     \
    "if redis.call('EXISTS', KEYS[6]) == 1 then return -1 end\n"                              \
    "local given = 0\n"                                                                       \
    "while true do\n"                                                                         \
    "  local id = redis.call('RPOP', KEYS[1])\n"                                              \
    "  if not id then break end\n"                                                            \
    "  local k = 'jt:task:' .. id\n"                                                          \
    "  local f = redis.call('HMGET', k, 'state', 'worker', 'attempts', 'kind')\n"             \
    "  local q = KEYS[3]\n"                                                                   \
    "  if f[4] == 'validate' then q = KEYS[2] end\n"                                          \
    "  if f[1] == 'running' and f[2] == ARGV[1] then\n"                                       \
    "    if (tonumber(f[3]) or 0) >= 2 then\n"                                                \
    "      redis.call('HSET', k, 'state', 'failed', 'finished', ARGV[2], 'note', ARGV[4],\n"  \
    "                 'result', ARGV[5])\n"                                                   \
    "    else\n"                                                                              \
    "      redis.call('HSET', k, 'state', 'queued', 'note', ARGV[3])\n"                       \
    "      redis.call('LPUSH', q, id)\n"                                                      \
    "    end\n"                                                                               \
    "    given = given + 1\n"                                                                 \
    "  elseif f[1] == 'queued' then\n"                                                        \
    "    redis.call('LPUSH', q, id)\n"                                                        \
    "  end\n"                                                                                 \
    "end\n"                                                                                   \
    "redis.call('SREM', KEYS[4], ARGV[1])\n"                                                  \
    "redis.call('DEL', KEYS[5])\n"                                                            \
    "return given\n"

/* KEYS: worker:W, workers, alive:W.  ARGV: W, status, ttl. */
#define JT_REDIS_LUA_BEAT                                                                     \
    "redis.call('SET', KEYS[1], ARGV[2])\n"                                                   \
    "redis.call('SADD', KEYS[2], ARGV[1])\n"                                                  \
    "redis.call('SET', KEYS[3], '1', 'EX', tonumber(ARGV[3]))\n"                              \
    "return 1\n"

/* KEYS: alive:W, workers.  ARGV: W, ttl. */
#define JT_REDIS_LUA_ALIVE                                                                    \
    "redis.call('SET', KEYS[1], '1', 'EX', tonumber(ARGV[2]))\n"                              \
    "redis.call('SADD', KEYS[2], ARGV[1])\n"                                                  \
    "return 1\n"

/* KEYS: alive:W, worker:W, workers, processing:W.  ARGV: W.
 * W stays a member while it holds tasks, so recover finds them. */
#define JT_REDIS_LUA_LEAVE                                                                    \
    "redis.call('DEL', KEYS[1], KEYS[2])\n"                                                   \
    "if redis.call('LLEN', KEYS[4]) == 0 then redis.call('SREM', KEYS[3], ARGV[1]) end\n"     \
    "return 1\n"

#endif

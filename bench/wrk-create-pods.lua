-- wrk script for bench/api-write.ts: POSTs uniquely named pods and prints a JSON summary.
-- Usage: wrk -s bench/wrk-create-pods.lua URL -- TOKEN PREFIX
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  prefix = args[2] or "wrk"
  counter = 0
  created = 0
  failed = 0
end

request = function()
  counter = counter + 1
  local body = string.format('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s-%d-%d","labels":{"app":"bench"}},"spec":{"containers":[{"name":"c","image":"busybox","command":["sleep","3600"],"resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}]}}', prefix, tid, counter)
  return wrk.format("POST", "/api/v1/namespaces/default/pods", { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end

response = function(status, headers, body)
  if status == 201 then created = created + 1 else failed = failed + 1 end
end

done = function(summary, latency, requests)
  local c, f = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    f = f + t:get("failed")
  end
  io.write(string.format('WRK {"created":%d,"failed":%d,"seconds":%f,"p50ms":%f,"p99ms":%f}\n', c, f, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end

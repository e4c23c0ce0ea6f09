-- A mixed load for the soak: 80% cached GET /auth/profile, 10% POST /auth/device_state (alternating on/off),
-- 5% GET /auth/get_schedules, 5% GET /alive. TOKEN, VENUE and DEVICE come from the environment (run.sh).
local token = os.getenv("TOKEN")
local venue = os.getenv("VENUE")
local device = os.getenv("DEVICE")
local auth = { ["Authorization"] = "Bearer " .. token }
local json = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
local requests = {}
local n = 0

function init(args)
  for i = 1, 16 do requests[#requests + 1] = wrk.format("GET", "/auth/profile", auth) end
  for _, value in ipairs({ "on", "off" }) do
    local body = string.format('{"venue":"%s","device":"%s","value":"%s"}', venue, device, value)
    requests[#requests + 1] = wrk.format("POST", "/auth/device_state", json, body)
  end
  requests[#requests + 1] = wrk.format("GET", "/auth/get_schedules", auth)
  requests[#requests + 1] = wrk.format("GET", "/alive")
end

function request()
  n = n + 1
  return requests[n % #requests + 1]
end

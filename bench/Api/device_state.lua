-- POST /auth/device_state, alternating on/off so that every request really writes.
-- TOKEN, VENUE and DEVICE come from the environment (bench/Api/run.sh sets them).
local token = os.getenv("TOKEN")
local venue = os.getenv("VENUE")
local device = os.getenv("DEVICE")
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
local requests = {}
local n = 0

function init(args)
  for i, value in ipairs({ "on", "off" }) do
    local body = string.format('{"venue":"%s","device":"%s","value":"%s"}', venue, device, value)
    requests[i] = wrk.format("POST", "/auth/device_state", headers, body)
  end
end

function request()
  n = n + 1
  return requests[n % 2 + 1]
end

-- wrk script: PEER's customers sign in one after another without pause,
-- each name used by one request at a time (bench/peers.py).
--   ours:         POST /v1/sessions          {"login": "load0x<i>", ...}
--   fastapi-users POST /auth/jwt/login       username=bench<i>@example.com&password=...
--   better-auth   POST /api/auth/sign-in/email {"email": "bench<i>@example.com", ...}
local peer = os.getenv("PEER")
local customers = tonumber(os.getenv("CUSTOMERS"))
local password = os.getenv("PASSWORD")
local next_customer = 0

wrk.method = "POST"
if peer == "fastapi-users" then
    wrk.headers["content-type"] = "application/x-www-form-urlencoded"
else
    wrk.headers["content-type"] = "application/json"
end

request = function()
    local i = next_customer
    next_customer = (next_customer + 1) % customers
    local body
    if peer == "ours" then
        body = '{"login":"load0x' .. i .. '","password":"' .. password .. '"}'
    elseif peer == "fastapi-users" then
        body = "username=bench" .. i .. "%40example.com&password=" .. password:gsub("#", "%%23")
    else
        body = '{"email":"bench' .. i .. '@example.com","password":"' .. password .. '"}'
    end
    return wrk.format(nil, nil, nil, body)
end

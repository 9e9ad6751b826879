-- wrk script: the load generator's customers sign in, one after another
-- (load0x0, load0x1, ...), without pause. Each name is used by one request
-- at a time: more than five concurrent attempts on one name would be
-- answered 429 by design (attempts are counted before they are judged).
local customers = tonumber(os.getenv("CUSTOMERS") or "2000")
local next_customer = 0

wrk.method = "POST"
wrk.headers["content-type"] = "application/json"

request = function()
    local login = "load0x" .. next_customer
    next_customer = (next_customer + 1) % customers
    return wrk.format(nil, nil, nil, '{"login":"' .. login .. '","password":"Gpu#Cl0ud-load9"}')
end

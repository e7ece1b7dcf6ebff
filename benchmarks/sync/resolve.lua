-- wrk script: resolve requests from many devices (a different device id per request).
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/v1/resolve?model=bench&platform=linux&runtime=onnx&deviceId=device-" .. counter)
end

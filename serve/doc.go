// Package serve is AlexNet over HTTP: a JSON API, a web page, Prometheus
// metrics, and a dynamic batcher that gathers concurrent requests into one
// forward pass.
//
// Endpoints (see Server.Handler):
//
//	POST /v1/classify        one image: the body (image/*), or the multipart field "image"
//	POST /v1/classify/batch  several images: multipart fields "image", one result each
//	GET  /v1/model           the model's name and the server's limits
//	GET  /healthz            the process is up
//	GET  /readyz             the weights are loaded and the model is warm
//	GET  /metrics            Prometheus text format
//	GET  /                   the web page (embedded)
//
// A request's image is checked against the pixel limit from its header
// (before any pixel is decoded), decoded and preprocessed on a bounded
// pool of workers, then queued for the Batcher, which alone runs the model:
// each of its lanes (Options.Lanes) owns a replica sharing the weights, so
// under load as many batches run at once, each on its share of the
// threads.
// Probabilities come from predict.TopK on the model's logits, the code path
// of `alexnet classify`, so the numbers are the same.
//
// Errors are JSON, {"error": "..."}, with the status saying what went
// wrong: 400 undecodable image or bad parameter, 405 wrong method, 413 body
// over the limit, 415 not an image, 422 image over the pixel limit, 503
// queue full or shutting down (with Retry-After).
package serve

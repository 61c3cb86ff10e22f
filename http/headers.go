package http

import "net/http"

// ContentSecurityPolicy is the policy every response carries (claim HDR-1).
// Everything is denied by default; scripts, styles, images, fonts and
// connections may come from this origin only, never inline and never
// evaluated; nothing may frame the page, change its base URL, embed plugins
// or post forms elsewhere.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self'; connect-src 'self'; media-src 'self' blob:; manifest-src 'self'; worker-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'; upgrade-insecure-requests"

// PermissionsPolicy denies every powerful browser feature the app does not
// use; the microphone (voice notes), passkeys and full screen are allowed
// to this origin only.
const PermissionsPolicy = "accelerometer=(), autoplay=(), camera=(), display-capture=(), " +
	"encrypted-media=(), fullscreen=(self), geolocation=(), gyroscope=(), hid=(), idle-detection=(), " +
	"magnetometer=(), microphone=(self), midi=(), payment=(), picture-in-picture=(), " +
	"publickey-credentials-create=(self), publickey-credentials-get=(self), screen-wake-lock=(), " +
	"serial=(), usb=(), xr-spatial-tracking=()"

// securityHeaderSet is sent on every response of both listeners; HSTS is
// added on HTTPS only (RFC 6797 forbids it over plain HTTP).
var securityHeaderSet = [][2]string{
	{"Content-Security-Policy", ContentSecurityPolicy},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "no-referrer"},
	{"X-Content-Type-Options", "nosniff"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
	{"Cross-Origin-Embedder-Policy", "require-corp"},
	{"Origin-Agent-Cluster", "?1"},
	{"X-DNS-Prefetch-Control", "off"},
	{"X-Permitted-Cross-Domain-Policies", "none"},
	{"Permissions-Policy", PermissionsPolicy},
}

// setSecurityHeaders sets the header set on h.
func setSecurityHeaders(h http.Header) {
	for _, kv := range securityHeaderSet {
		h.Set(kv[0], kv[1])
	}
}

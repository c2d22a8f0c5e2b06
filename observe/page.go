package observe

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// The live page is one HTML file with its style sheet and script inlined
// when first served: the browser makes no request but the page's own polls
// of format=live, which are relative to the page's URL (only the query
// changes), so the page works wherever the handler is mounted, behind
// http.StripPrefix or a proxy that rewrites paths, with no option to set.
//
//go:embed live/page.html live/page.css live/page.js
var liveFiles embed.FS

// livePage is the page and its Content-Security-Policy, built once.
var livePage = sync.OnceValues(func() ([]byte, string) {
	read := func(name string) string {
		b, err := liveFiles.ReadFile("live/" + name)
		if err != nil {
			panic("observe: " + err.Error()) // embedded above: cannot happen
		}
		return string(b)
	}
	css, js := read("page.css"), read("page.js")
	html := strings.Replace(read("page.html"), "<style></style>", "<style>"+css+"</style>", 1)
	html = strings.Replace(html, "<script></script>", "<script>"+js+"</script>", 1)
	// The policy names the inlined style and script by hash and allows
	// requests to the page's own origin only: nothing else can load or
	// run, even if a task's name held markup that slipped past escaping.
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	csp := "default-src 'none'; style-src " + hash(css) + "; script-src " + hash(js) +
		"; connect-src 'self'; base-uri 'none'; form-action 'none'"
	return []byte(html), csp
})

// servePage writes the live page. It takes no snapshot: the page asks for
// one a second while it is open and visible.
func servePage(w http.ResponseWriter) {
	page, csp := livePage()
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(page)))
	_, _ = w.Write(page) // a failed write means the client left
}

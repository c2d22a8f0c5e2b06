// Package browsertest checks package observe's live page in a real browser:
// headless Chromium, driven by chromedp, opens the page on a program with a
// known tree and reads what it shows. It is a module of its own so that the
// library's users never download chromedp; it holds tests only.
//
// Run it with Chromium installed (the Debian package chromium):
//
//	cd observe/browsertest && go test ./...
//
// and with -update-screenshot to write docs/live-view.png again.
package browsertest

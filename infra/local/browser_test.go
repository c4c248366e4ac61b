package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds Debian's Chromium. `make test` installs it and sets
// REQUIRE_CHROMIUM=1, so there a missing browser fails instead of skipping.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("REQUIRE_CHROMIUM") == "1" {
		t.Fatal("Chromium not found: `make test` installs it (apt-get install chromium)")
	}
	t.Skip("Chromium not installed; `make test` installs it and runs this test")
	return ""
}

// newChrome starts headless Chromium with the flags this machine's closed
// network needs, in a phone-sized or desktop viewport.
func newChrome(t *testing.T, width, height int64, mobile bool) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	var vp []chromedp.EmulateViewportOption
	if mobile {
		vp = append(vp, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height, vp...)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// screenshot saves the page as a PNG under SCREENSHOT_DIR (make test sets it
// to artifacts/screenshots) or the test's temp dir.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fitsViewport fails when the page scrolls sideways: unreadable on a phone.
func fitsViewport(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Errorf("%s scrolls sideways in a %s viewport", page, "phone")
	}
}

func resultText(t *testing.T, ctx context.Context) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#result`))); err != nil {
		t.Fatalf("wait for result: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#result`)))
	if err != nil {
		t.Fatalf("read result: %v", err)
	}
	return text
}

func TestBrowserWalkThrough(t *testing.T) {
	viewports := []struct {
		name          string
		width, height int64
		mobile        bool
	}{
		{"desktop", 1280, 800, false},
		{"phone", 390, 844, true},
	}
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			e := newEnv(t, sandbox)
			ctx := newChrome(t, vp.width, vp.height, vp.mobile)
			shot := func(name string) { screenshot(t, ctx, vp.name+"-"+name) }

			// Authorize: link page, the sandbox GitHub's consent page, the callback page.
			link := e.loginLink(t, alice)
			if err := chromedp.Do(ctx, chromedp.Navigate(link)); err != nil {
				t.Fatal(err)
			}
			page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`)))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(page, "@alice") || !strings.Contains(page, site) {
				t.Fatalf("link page does not name the user and site: %s", page)
			}
			fitsViewport(t, ctx, "link page")
			// The style is allowed by its hash in the CSP: a blocked style would leave a grey button.
			bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('button')).backgroundColor`))
			if err != nil || bg != "rgb(31, 136, 61)" {
				t.Fatalf("button background %q (%v): the page style was blocked", bg, err)
			}
			shot("1-link")
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`#login`))); err != nil {
				t.Fatalf("continue to GitHub: %v", err)
			}
			fitsViewport(t, ctx, "consent page")
			// The sandbox's own style passes the service's CSP, by its hash.
			bg, err = chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('button.primary')).backgroundColor`))
			if err != nil || bg != "rgb(31, 136, 61)" {
				t.Fatalf("consent page button background %q (%v): the sandbox's style was blocked", bg, err)
			}
			shot("2-github-consent")
			if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#login`), "octocat"),
				chromedp.Click(chromedp.CSS(`button[value=authorize]`))); err != nil {
				t.Fatalf("authorize: %v", err)
			}
			if got := resultText(t, ctx); !strings.Contains(got, "Connected to GitHub as @octocat until") || !strings.Contains(got, "You can close this tab.") {
				t.Fatalf("callback page says %q", got)
			}
			fitsViewport(t, ctx, "connected page")
			shot("3-connected")

			// Denied at GitHub.
			link = e.loginLink(t, bob)
			if err := chromedp.Do(ctx, chromedp.Navigate(link), chromedp.Click(chromedp.CSS(`button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`#login`)), chromedp.Click(chromedp.CSS(`button[value=deny]`))); err != nil {
				t.Fatalf("deny: %v", err)
			}
			if got := resultText(t, ctx); !strings.Contains(got, "declined") || !strings.Contains(got, "/github login") {
				t.Fatalf("denied page says %q", got)
			}
			shot("4-denied")

			// An expired link.
			link = e.loginLink(t, bob)
			e.clock.Advance(11 * time.Minute)
			if err := chromedp.Do(ctx, chromedp.Navigate(link)); err != nil {
				t.Fatal(err)
			}
			if got := resultText(t, ctx); !strings.Contains(got, "expired") || !strings.Contains(got, "/github login") {
				t.Fatalf("expired link page says %q", got)
			}
			fitsViewport(t, ctx, "expired page")
			shot("5-expired")
		})
	}
}

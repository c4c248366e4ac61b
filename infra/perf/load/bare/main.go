// Command bare is the yardstick of the load benchmark: a bare net/http server
// that answers POST /rocketchat/webhook with the same JSON shape the service
// sends (a direct message), doing no work: it reads the request body and
// writes a fixed answer. The service's figures are reported as ratios to it,
// measured in the same run on the same machine.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// answer has the shape and about the size of the service's help answer.
const answer = `{"text":"GitHub commands:\n` + "`/github login`" + `: connect your GitHub account (you get a private link).\n` +
	"`/github status`" + `: show which GitHub account is connected and until when.\n` +
	"`/github logout`" + `: disconnect now and revoke the token at GitHub.\n` +
	"`/github help`" + `: this list.\nYou are logged out automatically 7 days after login.","channel":"@load","parseUrls":false}` + "\n"

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (loopback)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /rocketchat/webhook", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<10))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, answer)
	})
	fmt.Println("listening on", ln.Addr().String())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

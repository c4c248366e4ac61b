package config

import (
	"net"
	"strconv"
	"strings"
)

// DefaultListenAddr is where the one-machine server listens without
// LISTEN_ADDR: this machine only.
const DefaultListenAddr = "127.0.0.1:8080"

// checkListenAddr validates LISTEN_ADDR before anything listens, so that a
// mistake is one line naming the variable instead of an error of net.Listen
// after the data directory was made. It returns whether the address is valid.
func checkListenAddr(p *problems, addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		if n, convErr := strconv.Atoi(strings.TrimPrefix(addr, ":")); convErr == nil && n >= 0 {
			// A bare port, the commonest slip: say what the two usual forms mean.
			p.add("LISTEN_ADDR", "%s has no host: write 127.0.0.1:%d (this machine only, behind a reverse proxy) or :%d (every interface)", quoteShort(addr), n, n)
			return false
		}
		p.add("LISTEN_ADDR", "%s is not host:port (expected e.g. 127.0.0.1:8080, [::1]:8080 or :8080)", quoteShort(addr))
		return false
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		p.add("LISTEN_ADDR", "%s: the port must be a number from 0 to 65535", quoteShort(addr))
		return false
	}
	if strings.ContainsAny(host, " \t/") {
		p.add("LISTEN_ADDR", "%s: the host must be an IP address or a host name", quoteShort(addr))
		return false
	}
	return true
}

// defaultPublicURL is PUBLIC_URL when it is unset: the listen address, when
// it is valid and names a loopback host (a browser on this machine reaches it there).
// Otherwise there is no sensible default ("http://:8080" is no URL, and
// another interface is reached through a proxy's https URL): "".
func defaultPublicURL(addr string, valid bool) string {
	host, _, err := net.SplitHostPort(addr)
	if !valid || err != nil || !isLoopbackHost(host) {
		return ""
	}
	return "http://" + addr
}

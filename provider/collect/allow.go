package collect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNotAllowed is wrapped by the error of a fetch, or of a URL checked,
// that the allow-list refuses.
var ErrNotAllowed = errors.New("not allowed")

// A NotAllowedError is a target the allow-list refuses: a client's job
// must not make the provider fetch from the provider's own host, its
// neighbours on a link-local network or a cloud metadata service.
type NotAllowedError struct {
	Target string // host:port, or the URL's host name
	Why    string // what the address is, e.g. "a loopback address"; empty if merely unlisted
}

func (e *NotAllowedError) Error() string {
	why := "not in the collectors' allow-list"
	if e.Why != "" {
		why = e.Why + ", not in the collectors' allow-list"
	}
	return fmt.Sprintf("%s is %s; the provider's operator may allow it with --collect-allow", e.Target, why)
}

// Is makes a NotAllowedError match ErrNotAllowed.
func (e *NotAllowedError) Is(target error) bool { return target == ErrNotAllowed }

// An AllowList says which hosts the collectors that fetch URLs (http,
// prometheus) may connect to. Its entries are CIDR prefixes, IP addresses
// and host names, each but prefixes with an optional :port; a name
// "*.example.org" stands for the names under example.org. The entry "any"
// allows every address except the special ones: loopback, link-local
// (which holds the cloud metadata service, 169.254.169.254), unspecified,
// multicast and fd00:ec2::254; those pass only when an entry lists them.
// Private ranges (10/8, 192.168/16, fc00::/7...) are ordinary addresses:
// a list without "any" is the way to keep collectors off them.
//
// A connection is checked against the addresses it actually goes to,
// after name resolution, so a name that resolves (or is rebound) to a
// refused address is refused, and so is each redirect; a host listed by
// name is trusted with whatever it resolves to. Proxies from the
// environment are not used, since a proxy would resolve and connect on
// the collector's behalf.
type AllowList struct {
	any   bool
	nets  []allowedNet
	names []allowedName
}

type allowedNet struct {
	prefix netip.Prefix
	port   uint16 // 0: any
}

type allowedName struct {
	name string // lower case, without a trailing dot; "*.x" for names under x
	port uint16 // 0: any
}

// DefaultAllowList is what a collector without an allow-list uses: "any".
var DefaultAllowList = &AllowList{any: true}

// ParseAllowList parses a comma-separated allow-list (see AllowList).
func ParseAllowList(s string) (*AllowList, error) {
	a := &AllowList{}
	n := 0
	for _, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		n++
		if err := a.add(e); err != nil {
			return nil, err
		}
	}
	if n == 0 {
		return nil, errors.New(`an allow-list needs at least one entry; "any" stands for every address but loopback, link-local and the like`)
	}
	return a, nil
}

func (a *AllowList) add(e string) error {
	if strings.EqualFold(e, "any") {
		a.any = true
		return nil
	}
	if strings.Contains(e, "/") {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			return fmt.Errorf("%q is not a CIDR prefix such as 10.0.0.0/8: %v", e, err)
		}
		a.nets = append(a.nets, allowedNet{prefix: p.Masked()})
		return nil
	}
	if ip, err := netip.ParseAddr(e); err == nil {
		ip = ip.Unmap().WithZone("")
		a.nets = append(a.nets, allowedNet{prefix: netip.PrefixFrom(ip, ip.BitLen())})
		return nil
	}
	if ap, err := netip.ParseAddrPort(e); err == nil {
		ip := ap.Addr().Unmap().WithZone("")
		a.nets = append(a.nets, allowedNet{prefix: netip.PrefixFrom(ip, ip.BitLen()), port: ap.Port()})
		return nil
	}
	host, port := e, uint16(0)
	if h, p, err := net.SplitHostPort(e); err == nil {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return fmt.Errorf("%q: bad port %q", e, p)
		}
		host, port = h, uint16(n)
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if !validName(strings.TrimPrefix(name, "*.")) {
		return fmt.Errorf("%q is not a CIDR prefix, an IP address or a host name (each with an optional :port)", e)
	}
	a.names = append(a.names, allowedName{name: name, port: port})
	return nil
}

// validName reports whether s is a host name of letters, digits, hyphens
// and dots.
func validName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func (a *AllowList) orDefault() *AllowList {
	if a == nil {
		return DefaultAllowList
	}
	return a
}

// metadataV6 is the IPv6 address of the AWS instance metadata service.
var metadataV6 = netip.MustParseAddr("fd00:ec2::254")

// thisNetwork is 0.0.0.0/8: on Linux a connection to any of it reaches
// the local host.
var thisNetwork = netip.MustParsePrefix("0.0.0.0/8")

// special says what ip is if "any" does not cover it, or "".
func special(ip netip.Addr) string {
	switch {
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "a link-local address"
	case ip.IsUnspecified(), thisNetwork.Contains(ip):
		return "an unspecified address"
	case ip.IsMulticast():
		return "a multicast address"
	case ip == metadataV6:
		return "a cloud metadata address"
	}
	return ""
}

// checkAddr says whether a connection to ip:port may be made.
func (a *AllowList) checkAddr(ip netip.Addr, port uint16) error {
	ip = ip.Unmap().WithZone("")
	for _, n := range a.nets {
		if n.prefix.Contains(ip) && (n.port == 0 || n.port == port) {
			return nil
		}
	}
	why := special(ip)
	if a.any && why == "" {
		return nil
	}
	return &NotAllowedError{Target: netip.AddrPortFrom(ip, port).String(), Why: why}
}

// namedAllowed reports whether the list names host (a name, not an IP
// address) on port.
func (a *AllowList) namedAllowed(host string, port uint16) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, n := range a.names {
		if n.port != 0 && n.port != port {
			continue
		}
		if n.name == host || strings.HasPrefix(n.name, "*.") && strings.HasSuffix(host, n.name[1:]) {
			return true
		}
	}
	return false
}

// hostPort splits a URL's host into host and port, the scheme's default
// if it has none.
func hostPort(u *url.URL) (string, uint16) {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	n, _ := strconv.ParseUint(port, 10, 16)
	return u.Hostname(), uint16(n)
}

// checkStatic checks what the URL itself says: an IP address, or a name
// that always means this host. Names are checked when they are resolved.
func (a *AllowList) checkStatic(u *url.URL) error {
	host, port := hostPort(u)
	if ip, err := netip.ParseAddr(host); err == nil {
		return a.checkAddr(ip, port)
	}
	if a.namedAllowed(host, port) {
		return nil
	}
	if h := strings.TrimSuffix(strings.ToLower(host), "."); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return &NotAllowedError{Target: host, Why: "a loopback name"}
	}
	return nil
}

// lookupTimeout bounds the name resolution of Check.
const lookupTimeout = 2 * time.Second

// Check says whether the list allows the absolute http(s) URL raw as it
// resolves now: a job naming a URL that is refused is refused at once,
// rather than failing every period. A name that does not resolve passes;
// every fetch is checked again anyway.
func (a *AllowList) Check(ctx context.Context, raw string) error {
	a = a.orDefault()
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if err := a.checkStatic(u); err != nil {
		return err
	}
	host, port := hostPort(u)
	if _, err := netip.ParseAddr(host); err == nil || a.namedAllowed(host, port) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, ip := range ips {
		if err := a.checkAddr(ip, port); err != nil {
			return fmt.Errorf("%s resolves to %w", host, err)
		}
	}
	return nil
}

// dial connects to addr, a URL's host:port, if the list allows it: by
// name, or by each address the connection goes to.
func (a *AllowList) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, _ := strconv.ParseUint(p, 10, 16)
	if _, err := netip.ParseAddr(host); err != nil && a.namedAllowed(host, uint16(port)) {
		return d.DialContext(ctx, network, addr)
	}
	d.Control = func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return err
		}
		return a.checkAddr(ap.Addr(), ap.Port())
	}
	return d.DialContext(ctx, network, addr)
}

// maxRedirects is how many redirects a fetch follows.
const maxRedirects = 10

// checkRedirect checks each redirect's URL before it is followed (the
// connection it makes is checked too).
func (a *AllowList) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to %q: not an http or https URL", req.URL.Redacted())
	}
	return a.checkStatic(req.URL)
}

// transport returns a transport that connects only where the list
// allows, without proxies.
func (a *AllowList) transport(base *http.Transport) *http.Transport {
	var tr *http.Transport
	if base != nil {
		tr = base.Clone()
	} else {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	tr.Proxy = nil
	tr.DialContext = a.dial
	return tr
}

// client returns c (nil for a new one) as a client that fetches only
// where the list allows. A transport other than *http.Transport (a test's)
// cannot be made to check the addresses it connects to; its requests'
// URLs are checked instead.
func (a *AllowList) client(c *http.Client) *http.Client {
	a = a.orDefault()
	out := &http.Client{}
	if c != nil {
		*out = *c
	}
	switch tr := out.Transport.(type) {
	case nil:
		out.Transport = a.transport(nil)
	case *http.Transport:
		out.Transport = a.transport(tr)
	default:
		out.Transport = checkedTransport{a, tr}
	}
	out.CheckRedirect = a.checkRedirect
	return out
}

// checkedTransport checks the URL of each request it makes.
type checkedTransport struct {
	a  *AllowList
	rt http.RoundTripper
}

func (t checkedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := t.a.checkStatic(r.URL); err != nil {
		return nil, err
	}
	return t.rt.RoundTrip(r)
}

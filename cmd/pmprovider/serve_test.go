package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCA is a certificate authority made for one test, and a server
// certificate it signed for 127.0.0.1 and localhost.
type testCA struct {
	pool              *x509.CertPool
	certFile, keyFile string
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pmprovider test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	c := &testCA{pool: x509.NewCertPool(), certFile: filepath.Join(dir, "cert.pem"), keyFile: filepath.Join(dir, "key.pem")}
	c.pool.AddCert(ca)
	require.NoError(t, os.WriteFile(c.certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(c.keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
	return c
}

// client trusts only the CA, and speaks HTTP/2 where the server offers it.
func (c *testCA) client() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: c.pool},
		ForceAttemptHTTP2: true,
	}}
}

// freeAddr returns a loopback address no one listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer is a bytes.Buffer safe for the server's log and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// serve runs the server as `pmprovider args...` on a free loopback port
// until the test ends, and returns its address once it accepts.
func serve(t *testing.T, args ...string) (addr string, log *syncBuffer) {
	t.Helper()
	addr = freeAddr(t)
	log = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	args = append([]string{"--addr", addr, "--data", t.TempDir(), "--host-job=false"}, args...)
	go func() { done <- run(ctx, args, log) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(15 * time.Second):
			t.Error("server did not stop")
		}
	})
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr, log
		}
		select {
		case err := <-done:
			t.Fatalf("server stopped: %v\n%s", err, log)
		case <-time.After(20 * time.Millisecond):
		}
		require.Less(t, i, 500, "server did not listen:\n%s", log)
	}
}

func TestServeTLS(t *testing.T) {
	ca := newTestCA(t)
	addr, _ := serve(t, "--tls-cert", ca.certFile, "--tls-key", ca.keyFile)
	resp, err := ca.client().Get("https://" + addr + "/oslc/catalog")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 2, resp.ProtoMajor, "HTTP/2 over TLS")

	// A client that does not trust the CA is refused.
	_, err = http.Get("https://" + addr + "/oslc/catalog")
	require.Error(t, err)
	// Plain HTTP on the TLS port gets no answer of ours.
	plain, err := http.Get("http://" + addr + "/oslc/catalog")
	if err == nil {
		plain.Body.Close()
		assert.Equal(t, http.StatusBadRequest, plain.StatusCode, "Go's TLS server answers plain HTTP 400")
	}
}

// Slow clients do not hold connections for ever: a body that never ends
// is cut at --read-timeout, an idle keep-alive connection at
// --idle-timeout.
func TestServeTimeouts(t *testing.T) {
	addr, _ := serve(t, "--read-timeout", "300ms", "--idle-timeout", "300ms")
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("POST /oslc/records HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: text/turtle\r\nContent-Length: " + strconv.Itoa(1<<20) + "\r\n\r\n<a> "))
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	start := time.Now()
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			break // the server closed the connection
		}
	}
	assert.Less(t, time.Since(start), 4*time.Second, "the server cut the slow body")

	idle, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer idle.Close()
	_, err = idle.Write([]byte("GET /oslc/catalog HTTP/1.1\r\nHost: " + addr + "\r\n\r\n"))
	require.NoError(t, err)
	require.NoError(t, idle.SetReadDeadline(time.Now().Add(5*time.Second)))
	start = time.Now()
	for {
		if _, err := idle.Read(buf); err != nil {
			break
		}
	}
	assert.Less(t, time.Since(start), 4*time.Second, "the server closed the idle connection")
}

// Off loopback, the server does not start without authentication, and
// says which flags to set; the users file the commands write is enough.
func TestAuthRequiredOffLoopback(t *testing.T) {
	data := t.TempDir()
	c, err := parseFlags([]string{"--addr", "0.0.0.0:8080", "--data", data}, io.Discard)
	require.NoError(t, err)
	_, err = authenticators(t.Context(), c, slog.New(slog.DiscardHandler))
	require.Error(t, err)
	for _, flag := range []string{"pmprovider user add", "--users", "--tokens", "--oidc-issuer"} {
		assert.Contains(t, err.Error(), flag)
	}
	// run stops before it listens.
	err = run(t.Context(), []string{"--addr", "0.0.0.0:8080", "--data", data, "--host-job=false"}, io.Discard)
	require.ErrorContains(t, err, "needs authentication")

	// Loopback needs none.
	c.addr = "127.0.0.1:8080"
	chain, err := authenticators(t.Context(), c, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	assert.Empty(t, chain)

	c.addr = "0.0.0.0:8080"
	var out bytes.Buffer
	require.NoError(t, dispatch(t.Context(), []string{"user", "add", "alice", "--role", "customer", "--data", data, "--bcrypt-cost", "4"}, &out, io.Discard))
	chain, err = authenticators(t.Context(), c, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	assert.Len(t, chain, 1)

	c.auth.users = filepath.Join(data, "nope.json")
	_, err = authenticators(t.Context(), c, slog.New(slog.DiscardHandler))
	require.ErrorContains(t, err, "--users")
}

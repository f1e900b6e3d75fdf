package codec

import (
	"net/url"
	"testing"
)

// plainIRI may skip url.Parse only where url.Parse accepts.
func TestPlainIRIAgreesWithNetURL(t *testing.T) {
	for _, s := range []string{
		"http://example.org/a", "http://example.org:8080/a?b=c#d", "http://ex.org:80x/", "http://ex.org:/",
		"http://[::1]:80/", "http://u:p@ex.org/", "http://ex.org/%zz", "http://ex.org/%41", "urn:uuid:1",
		"http://ex.org:8080:90/", "http://ex.org#frag", "http://ex.org?q", "https://münchen.example/ü",
		"http://ex!$&'()*+,;=.org/", "file:///etc/passwd", "http://ex.org/a:b", "http://:80/",
	} {
		if plainIRI(s) {
			if _, err := url.Parse(s); err != nil {
				t.Errorf("plainIRI(%q) = true, but url.Parse refuses it: %v", s, err)
			}
		}
	}
}

func FuzzPlainIRI(f *testing.F) {
	for _, s := range []string{"http://example.org/a", "http://ex.org:80/", "http://ex.org:8x/", "https://a.b/c?d#e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if validIRI(s) != nil || !plainIRI(s) {
			return
		}
		if _, err := url.Parse(s); err != nil {
			t.Errorf("plainIRI(%q) = true, but url.Parse refuses it: %v", s, err)
		}
	})
}

// The ASCII loop of iriChars says what the rune-by-rune check says.
func FuzzIRIChars(f *testing.F) {
	for _, s := range []string{"http://example.org/a", "http://ex.org/a b", "http://ex.org/\x7f", "http://ex.org/<", "http://ex.org/ü", "http://ex.org/\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, slow := iriChars(s), iriRunes(s)
		if (fast == nil) != (slow == nil) || (fast != nil && fast.Error() != slow.Error()) {
			t.Errorf("iriChars(%q) = %v; iriRunes = %v", s, fast, slow)
		}
	})
}

package auth

import "slices"

// Challenges are the WWW-Authenticate values of every scheme in c, each
// once: API tokens and JWTs share the Bearer challenge, and a client told
// the same challenge twice would be none the wiser.
func Challenges(c Chain) []string {
	var out []string
	for _, ch := range c.Challenges() {
		if !slices.Contains(out, ch) {
			out = append(out, ch)
		}
	}
	return out
}

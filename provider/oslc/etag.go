package oslc

import "strings"

// etagMatch reports whether an If-Match or If-None-Match header value
// names etag: "*", or a list of entity tags, weak ones compared weakly.
func etagMatch(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimSpace(v)
		if v == "*" {
			return true
		}
		if strings.TrimPrefix(v, "W/") == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}

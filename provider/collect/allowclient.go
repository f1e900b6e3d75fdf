package collect

import "net/http"

// Client returns c (nil for a new one) as a client that connects only
// where the list allows, checking each connection's addresses and each
// redirect, for other parts of the provider that dial URLs their clients
// name (webhook callbacks). A nil list is DefaultAllowList.
func (a *AllowList) Client(c *http.Client) *http.Client { return a.client(c) }

// Package ui is the provider's pages for people: the HTML representation
// of every resource (html.go), query pages with filters and paging, metric
// charts (chart.go), the OSLC resource previews and Compact resources
// (preview.go), and the delegated selection and creation dialogs
// (dialogs.go), with their CSS, scripts and icons (web/).
//
// It sits beside the API (package oslc), not inside it: it reads and
// queries through the API's Server, plugs into it as its HTML renderer,
// and wraps the API's handlers where a page adds to an answer (Member,
// Base). How each kind of resource is shown is its view (views.go).
package ui

/*
Package parser reads the OSLC query parameters (OSLC Query 3.0) into
syntax trees: a lexer, a recursive-descent parser and the AST, apart from
the engine that answers them (package query), as promql/parser is apart
from promql. Parsing never touches a store.

One entry point per parameter: ParseWhere, ParseSelect (ParseProperties
for oslc.properties, same grammar), ParseOrderBy, ParseSearchTerms and
ParsePrefixes. Names are resolved with the prefix map in force, built with
Prefixes.Map(DefaultPrefixes()) from oslc.prefix. The grammar is the
specification's in full:

	compound_term ::= simple_term (space? "and" space? simple_term)*
	simple_term   ::= term | scoped_term
	term          ::= identifier_wc comparison_op value | identifier_wc space "in" space? in_val
	scoped_term   ::= identifier_wc "{" compound_term "}"
	identifier_wc ::= PrefixedName | "*"
	comparison_op ::= "=" | "!=" | "<" | ">" | "<=" | ">="
	in_val        ::= "[" value ("," value)* "]"
	value         ::= uri_ref_esc | PrefixedName | literal_value
	literal_value ::= boolean | decimal | string_esc (LANGTAG | "^^" PrefixedName)?
	properties    ::= property ("," property)*                     oslc.select
	property      ::= identifier | "*" | (identifier | "*") "{" properties "}"
	sort_terms    ::= sort_term ("," sort_term)*                   oslc.orderBy
	sort_term     ::= identifier "{" sort_terms "}" | ("+" | "-") identifier
	search_terms  ::= string_esc ("," string_esc)*                 oslc.searchTerms
	prefix_defs   ::= prefix "=" uri_ref_esc ("," prefix "=" uri_ref_esc)*   oslc.prefix

Lenient where it costs nothing: spaces may appear between any tokens; an
identifier may be an <IRI> as well as a prefixed name (also as a
datatype); numbers may have an exponent (xsd:double); strings take the
SPARQL escapes (\t \n \r \b \f \' \uXXXX \UXXXXXXXX) besides \" and \\;
a sort term without a sign is ascending, since an unencoded "+" in a URL
arrives as a space. Every AST prints, with String, text that parses back
to the same tree.

Strict where the client is wrong: a typed literal whose lexical form is
not one of its XSD datatype ("x"^^xsd:dateTime; see Literal.Malformed) is
a syntax error, and a parameter past one of the limits of a query's size
is ErrTooComplex: scopes nested deeper than MaxDepth (32), more than
MaxTerms (256) comparisons in an oslc.where, MaxProperties (256)
properties in an oslc.select or oslc.properties, MaxSortKeys (16) keys
in an oslc.orderBy, MaxSearchTerms (32) strings or MaxSearchWords (32)
distinct words in an oslc.searchTerms.

Code that makes a query builds the tree as a value, never as text to parse
again: Eq, Compare, In, Scoped and And make the terms of an oslc.where from
RDF terms (ValueOf), and Where.Compact writes their IRIs as prefixed names
where it can, for text shown to people. A built tree prints, too, text that
ParseWhere parses back to the same tree, if its typed literals are
well-formed and it is within the limits.

Errors are *Error, with the parameter, the 1-based byte position and what
was expected: "oslc.where: at 14: expected comparison operator, found "}"".
Its class is ErrSyntax (HTTP 400), ErrUnknownPrefix (400), ErrTooComplex
(400) or ErrUnsupported (501); see errors.go.
*/
package parser

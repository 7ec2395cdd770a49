package admin

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Customer search ("Verwalten von Kunden" from 100 customers up): a customer is found by any word
// of its name by prefix, case- and accent-insensitive, and by its domain prefix. Names are compared
// in their folded form (FoldName): the same folding orders the customer list and builds the index.

const (
	// MaxIndexedWords caps the word positions of a name that are indexed (the whole name counts as
	// the first): a phrase starting at a later word is not found by it. It bounds the index items
	// per customer and partner, and so the rename transaction.
	MaxIndexedWords = 6
	// MaxFoldedBytes caps a folded name (the index keys hold it): a name of 200 characters folds
	// to less unless it is made of characters that expand.
	MaxFoldedBytes = 400
	// MaxSearchQuery is the longest search text, in characters.
	MaxSearchQuery = 100
)

// extraFold spells letters that lower-casing and decomposition leave as they are: ß (full case
// folding) and the Latin letters with a stroke or ligature that Unicode does not decompose.
var extraFold = strings.NewReplacer("ß", "ss", "ς", "σ", "ø", "o", "æ", "ae", "œ", "oe", "đ", "d", "ð", "d", "ł", "l", "þ", "th", "ı", "i", "ŧ", "t", "ħ", "h")

// FoldName is the comparable form of a name: lower case, without accents, its words (runs of
// letters and digits of any script) joined by one space; apostrophes join (McDonald's →
// mcdonalds), every other character breaks words. At most MaxFoldedBytes, cut at a word or
// character boundary. Compatibility forms are decomposed (ﬁ → fi, full-width letters → ASCII)
// and the combining marks the decomposition leaves are dropped (ü → u); golang.org/x/text's norm
// does the decomposition (its case tables would add 300 KB to every binary that stores a
// relationship, so lower-casing is the standard library's plus extraFold).
func FoldName(s string) string {
	f := extraFold.Replace(strings.ToLower(norm.NFKD.String(s)))
	f = norm.NFC.String(strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, f))
	var b strings.Builder
	space := false
	for _, r := range f {
		switch {
		case r == '\'' || r == '’' || r == 'ʼ':
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mc, r):
			if space && b.Len() > 0 {
				if b.Len()+1+utf8.RuneLen(r) > MaxFoldedBytes {
					return b.String()
				}
				b.WriteByte(' ')
			}
			space = false
			if b.Len()+utf8.RuneLen(r) > MaxFoldedBytes {
				return b.String()
			}
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// WordSuffixes are the indexed suffixes of a folded name: the name from each of its first
// MaxIndexedWords words on. [0] is the whole name.
func WordSuffixes(folded string) []string {
	if folded == "" {
		return nil
	}
	out := []string{folded}
	for i := 0; i < len(folded) && len(out) < MaxIndexedWords; i++ {
		if folded[i] == ' ' {
			out = append(out, folded[i+1:])
		}
	}
	return out
}

// DomainQuery is the folded search text as it is compared with domain prefixes (which are
// lower-case letters and digits): without its spaces.
func DomainQuery(folded string) string { return strings.ReplaceAll(folded, " ", "") }

// SearchRank orders search results: a customer is listed once, at the best way it matches.
type SearchRank int

const (
	RankExactName  SearchRank = iota // the folded name is the folded query
	RankNamePrefix                   // the folded name starts with it
	RankWordPrefix                   // a later indexed word starts with it (the name from that word on)
	RankDomain                       // the domain prefix starts with it
	RankNone                         // no match
)

// Match is how a customer (folded name, domain prefix) matches a folded query: its best rank and,
// for RankWordPrefix, the first word position that matches (the one index entry that lists it).
func Match(foldedName, domain, query string) (SearchRank, int) {
	if query == "" {
		return RankNone, 0
	}
	for i, s := range WordSuffixes(foldedName) {
		if !strings.HasPrefix(s, query) {
			continue
		}
		switch {
		case i > 0:
			return RankWordPrefix, i
		case s == query:
			return RankExactName, 0
		}
		return RankNamePrefix, 0
	}
	if dq := DomainQuery(query); dq != "" && strings.HasPrefix(domain, dq) {
		return RankDomain, 0
	}
	return RankNone, 0
}

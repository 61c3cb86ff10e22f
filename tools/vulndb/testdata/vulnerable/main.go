// Command vulnerable is a fixture for the offline vulnerability database's
// self-check: it calls golang.org/x/text/language.ParseAcceptLanguage at a
// version affected by GO-2022-1059, so govulncheck run with a working database
// must report that finding as reachable and exit with status 3.
package main

import (
	"fmt"

	"golang.org/x/text/language"
)

func main() {
	tags, _, err := language.ParseAcceptLanguage("en-GB;q=0.9, fr")
	fmt.Println(tags, err)
}

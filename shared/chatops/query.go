package chatops

import (
	"regexp"
	"strings"
)

// UnshareableQueryError refuses a search shared into a room whose query
// could escape the restriction to public repositories: the adapter sends
// "(query) is:public", so a query must be one group by itself. Problem says
// why, for the log and the user.
type UnshareableQueryError struct {
	Problem string
}

func (e *UnshareableQueryError) Error() string {
	return "chatops: the search cannot be shared: " + e.Problem
}

// visibilityQualifier finds a qualifier that asks for repositories that are
// not public (is:private, is:internal), which a shared search must not.
var visibilityQualifier = regexp.MustCompile(`(?i)(^|[\s(])-?is:(private|internal)\b`)

// CheckShareableQuery returns *UnshareableQueryError when query cannot be
// safely wrapped as "(query) is:public": parentheses that do not balance by
// themselves (a ")" closing the wrapper's group and an "OR (" opening another
// would take is:public off half of the query), a double quote left open (it
// would swallow the qualifier), a backslash (escapes could make GitHub read
// quotes otherwise than this check does), or an is:private or is:internal
// qualifier. Parentheses inside double quotes are text to GitHub, and not
// counted.
func CheckShareableQuery(query string) error {
	if strings.Contains(query, `\`) {
		return &UnshareableQueryError{Problem: "it contains a backslash"}
	}
	depth, quoted := 0, false
	for _, r := range query {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth < 0 {
				return &UnshareableQueryError{Problem: "a parenthesis closes a group it did not open"}
			}
		}
	}
	switch {
	case quoted:
		return &UnshareableQueryError{Problem: "a double quote is left open"}
	case depth != 0:
		return &UnshareableQueryError{Problem: "a parenthesis is left open"}
	case visibilityQualifier.MatchString(query):
		return &UnshareableQueryError{Problem: "it asks for repositories that are not public"}
	}
	return nil
}

package chatops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"rcgithub/shared/session"
)

// ListSize is how many issues, pull requests or search results a list shows.
const ListSize = 10

// ClaimTTL is how long a message's issue creation is remembered: Rocket.Chat
// re-sends a message for about three hours at most, so a few days cover every
// re-delivery and replay with room to spare.
const ClaimTTL = 3 * 24 * time.Hour

// releaseTimeout bounds the store write that completes or releases a claim
// after GitHub answered, on a context of its own: the request's may be spent.
const releaseTimeout = 5 * time.Second

// Service runs the chat commands as the user of a session key: it fetches the
// session's token (Sessions), checks what it can before calling GitHub (names,
// titles, OAuth scopes, visibility when sharing), calls GitHub through Connect,
// and ends a session whose token GitHub refuses. Errors are reasons: the
// types of errors.go and reasons.go, session.ErrNotFound (not logged in) and
// session.ErrEndedAtGitHub, or a wrapped failure (GitHub or the store
// unreachable).
//
// publicOnly is for answers shared into a room: a repository that is not
// public is refused (*NotShareableError), and the profile and search leave out
// what is not public.
type Service struct {
	Sessions Sessions
	Connect  Connect
	Claims   Claims
	Logger   *slog.Logger     // nil: slog.Default()
	Now      func() time.Time // nil: time.Now
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// connect returns the live session of k and GitHub acting with its token.
func (s *Service) connect(ctx context.Context, k session.Key) (session.UserToken, GitHub, error) {
	ut, err := s.Sessions.UserToken(ctx, k)
	if err != nil {
		if errors.Is(err, session.ErrNotFound) || errors.Is(err, session.ErrEndedAtGitHub) {
			return session.UserToken{}, nil, err
		}
		return session.UserToken{}, nil, fmt.Errorf("read session token: %w", err)
	}
	return ut, s.Connect(ut.Token), nil
}

// failed turns GitHub's 401 into the end of the session: the token is dead,
// so the session is ended (Sessions.TokenRejected) and the user is told so.
// Other errors come back as they are.
func (s *Service) failed(ctx context.Context, ut session.UserToken, op string, err error) error {
	if !errors.Is(err, ErrUnauthorized) {
		return fmt.Errorf("%s: %w", op, err)
	}
	rerr := s.Sessions.TokenRejected(ctx, ut.Key, ut.Generation)
	switch {
	case errors.Is(rerr, session.ErrTokenReplaced):
		return fmt.Errorf("%s: %w", op, ErrTokenRenewed)
	case errors.Is(rerr, session.ErrEndedAtGitHub), errors.Is(rerr, session.ErrNotFound):
		// Ended now, or by a concurrent command or logout: either way this
		// token is dead and the user must log in again.
	case rerr != nil:
		s.log().WarnContext(ctx, "end session after a 401", "site", ut.Site, "user", ut.UserID, "error", rerr)
	}
	return session.ErrEndedAtGitHub
}

// Me returns the user's profile and open work.
func (s *Service) Me(ctx context.Context, k session.Key, publicOnly bool) (Profile, error) {
	ut, gh, err := s.connect(ctx, k)
	if err != nil {
		return Profile{}, err
	}
	p, err := gh.Profile(ctx, publicOnly)
	if err != nil {
		return Profile{}, s.failed(ctx, ut, "profile", err)
	}
	return p, nil
}

// Repo returns a repository's card.
func (s *Service) Repo(ctx context.Context, k session.Key, r Repo, publicOnly bool) (RepoCard, error) {
	ut, gh, err := s.connect(ctx, k)
	if err != nil {
		return RepoCard{}, err
	}
	return s.repo(ctx, ut, gh, r, publicOnly)
}

func (s *Service) repo(ctx context.Context, ut session.UserToken, gh GitHub, r Repo, publicOnly bool) (RepoCard, error) {
	card, err := gh.Repo(ctx, r)
	if err != nil {
		return RepoCard{}, s.failed(ctx, ut, "repository", err)
	}
	if publicOnly && card.Visibility != Public {
		return RepoCard{}, &NotShareableError{Repo: r, Visibility: visibilityOf(card)}
	}
	return card, nil
}

// visibilityOf is the card's visibility, private when GitHub left it out:
// what is not known to be public is not shared.
func visibilityOf(card RepoCard) Visibility {
	if card.Visibility == "" {
		return Private
	}
	return card.Visibility
}

// Issues returns the ListSize most recently updated open issues of r.
func (s *Service) Issues(ctx context.Context, k session.Key, r Repo, publicOnly bool) ([]Item, error) {
	return s.list(ctx, k, r, publicOnly, "issues", GitHub.Issues)
}

// Pulls returns the ListSize most recently updated open pull requests of r.
func (s *Service) Pulls(ctx context.Context, k session.Key, r Repo, publicOnly bool) ([]Item, error) {
	return s.list(ctx, k, r, publicOnly, "pull requests", GitHub.Pulls)
}

func (s *Service) list(ctx context.Context, k session.Key, r Repo, publicOnly bool, op string,
	fetch func(GitHub, context.Context, Repo, int) ([]Item, error)) ([]Item, error) {
	ut, gh, err := s.connect(ctx, k)
	if err != nil {
		return nil, err
	}
	if publicOnly { // the list does not say whether the repository is public
		if _, err := s.repo(ctx, ut, gh, r, true); err != nil {
			return nil, err
		}
	}
	items, err := fetch(gh, ctx, r, ListSize)
	if err != nil {
		return nil, s.failed(ctx, ut, op, err)
	}
	return items, nil
}

// Search returns the first ListSize issues and pull requests matching query
// (GitHub's search syntax). A shared search (publicOnly) whose query could
// escape the restriction to public repositories is refused before GitHub is
// called (*UnshareableQueryError, CheckShareableQuery).
func (s *Service) Search(ctx context.Context, k session.Key, query string, publicOnly bool) (SearchResult, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return SearchResult{}, ErrEmptyQuery
	}
	if publicOnly {
		if err := CheckShareableQuery(query); err != nil {
			return SearchResult{}, err
		}
	}
	ut, gh, err := s.connect(ctx, k)
	if err != nil {
		return SearchResult{}, err
	}
	res, err := gh.Search(ctx, query, ListSize, publicOnly)
	if err != nil {
		return SearchResult{}, s.failed(ctx, ut, "search", err)
	}
	return res, nil
}

// IssueRequest is an issue to open, once per Rocket.Chat message.
type IssueRequest struct {
	MessageID string
	Repo      Repo
	Title     string
	Body      string
}

// CreateIssue opens an issue as the user, exactly once per Rocket.Chat
// message: the message is claimed before GitHub is called, so a re-delivery
// of a message whose issue exists gets that issue back, one arriving while
// the first delivery works gets ErrBeingCreated, and a creation GitHub
// refused (or that failed before asking GitHub) releases its claim so that the
// message may try again. One whose outcome GitHub never told (a timeout, a
// 5xx) keeps its claim pending and returns ErrNotConfirmed.
//
// OAuth App sessions (Scopes non-nil) are checked before GitHub is called:
// public_repo for a public repository, repo for any other (*NeedsScopeError).
// GitHub App sessions have permissions instead, which only GitHub knows: its
// 403 comes back as *NotAccessibleError.
func (s *Service) CreateIssue(ctx context.Context, k session.Key, req IssueRequest, publicOnly bool) (Created, error) {
	if strings.TrimSpace(req.Title) == "" {
		return Created{}, ErrEmptyTitle
	}
	if req.MessageID == "" {
		return Created{}, ErrNoMessageID
	}
	ut, gh, err := s.connect(ctx, k)
	if err != nil {
		return Created{}, err
	}
	existing, claimed, err := s.Claims.Claim(ctx, Claim{Key: k, MessageID: req.MessageID, Repo: req.Repo,
		Expires: s.now().Add(ClaimTTL)})
	switch {
	case err != nil:
		return Created{}, fmt.Errorf("claim the message's issue: %w", err)
	case !claimed && existing.Created.Number != 0:
		return existing.Created, nil
	case !claimed:
		return Created{}, ErrBeingCreated
	}
	created, uncertain, err := s.createClaimed(ctx, ut, gh, req, publicOnly)
	if uncertain {
		// GitHub may have opened the issue: the claim stays pending until it
		// expires, so that neither a re-delivery nor a deferred run opens a
		// second one; the user looks at the repository before trying again.
		s.log().WarnContext(ctx, "issue creation not confirmed; its claim is kept", "site", k.Site, "user", k.UserID,
			"repo", req.Repo.String(), "error", err)
		return Created{}, fmt.Errorf("%w: %w", ErrNotConfirmed, err)
	}
	// The request's context may be spent (a deadline): the claim is settled on
	// a context of its own, so that a refusal frees the message and a success
	// is kept for its re-deliveries.
	settle, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err != nil {
		if rerr := s.Claims.Release(settle, k, req.MessageID); rerr != nil {
			s.log().WarnContext(ctx, "release issue claim", "site", k.Site, "user", k.UserID, "error", rerr)
		}
		return Created{}, err
	}
	if cerr := s.Claims.Complete(settle, k, req.MessageID, created); cerr != nil {
		// The issue exists: the user gets it. A re-delivery finds the claim
		// pending until it expires and is told it is being created, never
		// opens a second issue.
		s.log().ErrorContext(ctx, "complete issue claim", "site", k.Site, "user", k.UserID, "repo", req.Repo.String(), "error", cerr)
	}
	return created, nil
}

// createClaimed checks the scope and visibility the creation needs and opens
// the issue. uncertain reports a failure after the issue was asked for that
// is not one of GitHub's clear refusals (refused): the issue may exist.
func (s *Service) createClaimed(ctx context.Context, ut session.UserToken, gh GitHub, req IssueRequest, publicOnly bool) (created Created, uncertain bool, err error) {
	oauth := ut.Scopes != nil
	if publicOnly || (oauth && !session.ScopesCover(ut.Scopes, "repo")) {
		// Which scope is needed depends on the repository's visibility.
		card, err := s.repo(ctx, ut, gh, req.Repo, publicOnly)
		if err != nil {
			return Created{}, false, err
		}
		if oauth {
			need := "repo"
			if card.Visibility == Public {
				need = "public_repo"
			}
			if !session.ScopesCover(ut.Scopes, need) {
				return Created{}, false, &NeedsScopeError{Scope: need}
			}
		}
	}
	created, err = gh.CreateIssue(ctx, req.Repo, strings.TrimSpace(req.Title), req.Body)
	if err != nil {
		return Created{}, !refused(err), s.failed(ctx, ut, "create issue", err)
	}
	return created, false, nil
}

// refused reports whether err says that nothing was created: GitHub's clear
// refusals (401, 403 for a permission, a rate limit or another reason, 404,
// 410 read as *ForbiddenError, 422), or a connection that was never made
// (dial or DNS failure: nothing was sent). Anything else (a timeout, a
// dropped connection, a 5xx) leaves the outcome unknown.
func refused(err error) bool {
	var (
		limited   *RateLimitedError
		notAccess *NotAccessibleError
		forbidden *ForbiddenError
		invalid   *InvalidError
		opErr     *net.OpError
		dnsErr    *net.DNSError
	)
	return errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrNotFound) || errors.As(err, &limited) ||
		errors.As(err, &notAccess) || errors.As(err, &forbidden) || errors.As(err, &invalid) ||
		(errors.As(err, &opErr) && opErr.Op == "dial") || errors.As(err, &dnsErr)
}

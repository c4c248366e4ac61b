// Command admin runs the admin commands, kept out of the server (infra/local)
// so that `make run` links no AWS SDK:
//
//	admin end-sessions -site URL [-user ID] [-aws]
//
// ends every live session of a Rocket.Chat site, or of one user of it, in the
// one-machine deployment's DATA_DIR (stop the server first) or, with -aws, in
// the AWS deployment named by the functions' environment (`make end-sessions`).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"rcgithub/shared/awsapp"
	"rcgithub/shared/config"
	"rcgithub/shared/localapp"
	"rcgithub/shared/session"
)

// sessionLister is what the stores offer admins besides session.Store: the
// live sessions of a site, or of one user of it.
type sessionLister interface {
	LiveSessions(ctx context.Context, site, user string) ([]session.Key, error)
}

// endSessions ends every live session of a site, or of one user of it, as a
// logout would: each is made unreachable, then its token revoked at GitHub
// (or left to the retries when GitHub does not confirm). It reports per session.
func endSessions(ctx context.Context, svc *session.Service, lister sessionLister, site, user string, out io.Writer) error {
	site = session.NormalizeSite(site)
	keys, err := lister.LiveSessions(ctx, site, user)
	if err != nil {
		return err
	}
	var ended, pending, failed int
	for _, k := range keys {
		res, err := svc.Logout(ctx, k)
		switch {
		case errors.Is(err, session.ErrNotFound):
			continue // ended meanwhile
		case err != nil:
			failed++
			fmt.Fprintf(out, "%s %s: NOT ended: %v\n", k.Site, k.UserID, err)
			continue
		case !res.Revoked:
			pending++
			fmt.Fprintf(out, "%s %s (@%s): ended; GitHub has not confirmed the revocation yet, it is retried\n", k.Site, k.UserID, res.GitHubLogin)
		default:
			fmt.Fprintf(out, "%s %s (@%s): ended, token revoked\n", k.Site, k.UserID, res.GitHubLogin)
		}
		ended++
	}
	fmt.Fprintf(out, "%d session(s) ended (%d revocation(s) still being retried), %d failed\n", ended, pending, failed)
	if failed > 0 {
		return fmt.Errorf("%d session(s) could not be ended: run the command again", failed)
	}
	return nil
}

func main() {
	if len(os.Args) < 2 || os.Args[1] != "end-sessions" {
		fmt.Fprintln(os.Stderr, "usage: admin end-sessions -site URL [-user ID] [-aws]")
		os.Exit(2)
	}
	if err := runEndSessions(os.Args[2:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// runEndSessions is `admin end-sessions -site URL [-user ID] [-aws]`.
func runEndSessions(args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("end-sessions", flag.ContinueOnError)
	site := fs.String("site", "", "the Rocket.Chat site URL whose sessions end (required)")
	user := fs.String("user", "", "only this Rocket.Chat user id")
	onAWS := fs.Bool("aws", false, "act on the AWS deployment (the functions' environment and AWS credentials) instead of DATA_DIR")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *site == "" {
		return errors.New("end-sessions: -site is required (the Rocket.Chat site URL, as in its siteUrl)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if *onAWS {
		app, err := awsapp.New(ctx, getenv, awsapp.Options{Logger: logger})
		if err != nil {
			return err
		}
		lister, ok := app.Service.Store.(sessionLister)
		if !ok {
			return errors.New("end-sessions: the AWS store cannot list sessions")
		}
		return endSessions(ctx, app.Service, lister, *site, *user, out)
	}
	cfg, err := config.LoadLocal(getenv)
	if err != nil {
		return err
	}
	a, err := localapp.New(cfg, localapp.Options{Logger: logger})
	if err != nil {
		return fmt.Errorf("%w (stop the server first: it holds the data file while it runs)", err)
	}
	defer a.Close()
	return endSessions(ctx, a.Service, a.DB, *site, *user, out)
}

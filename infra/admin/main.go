// Command admin runs the admin commands, kept out of the server (infra/local)
// so that `make run` links no AWS SDK:
//
//	admin end-sessions -site URL [-user ID] [-aws [-stack NAME]]
//
// ends every live session of a Rocket.Chat site, or of one user of it, in the
// one-machine deployment's DATA_DIR (stop the server first) or, with -aws, in
// the AWS deployment of the stack NAME (or the one the functions' environment
// names) (`make end-sessions`).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"rcgithub/shared/awsapp"
	"rcgithub/shared/bolt"
	"rcgithub/shared/config"
	"rcgithub/shared/githubtest"
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
// (or left to the retries when GitHub does not confirm). It reports per
// session. sandbox, when set, says the tokens came from a stand-in GitHub
// that is gone, and refuses a session whose token the stand-in did not issue.
func endSessions(ctx context.Context, svc *session.Service, lister sessionLister, site, user string,
	sandbox func(context.Context, session.Key) error, out io.Writer) error {
	site = session.NormalizeSite(site)
	keys, err := lister.LiveSessions(ctx, site, user)
	if err != nil {
		return err
	}
	var ended, pending, failed int
	for _, k := range keys {
		if sandbox != nil {
			if err := sandbox(ctx, k); err != nil {
				failed++
				fmt.Fprintf(out, "%s %s: NOT ended: %v\n", k.Site, k.UserID, err)
				continue
			}
		}
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
		case sandbox != nil:
			fmt.Fprintf(out, "%s %s (@%s): ended (its sandbox token was gone already)\n", k.Site, k.UserID, res.GitHubLogin)
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

const usage = "usage: admin end-sessions -site URL [-user ID] [-aws [-stack NAME]]"

func main() {
	if len(os.Args) < 2 || os.Args[1] != "end-sessions" {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err := runEndSessions(os.Args[2:], os.Getenv, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// runEndSessions is `admin end-sessions -site URL [-user ID] [-aws [-stack
// NAME]]`. awsOverride, when set, adjusts the AWS configuration (tests: moto).
func runEndSessions(args []string, getenv func(string) string, out io.Writer, awsOverride func(*aws.Config)) error {
	fs := flag.NewFlagSet("end-sessions", flag.ContinueOnError)
	site := fs.String("site", "", "the Rocket.Chat site URL whose sessions end (required)")
	user := fs.String("user", "", "only this Rocket.Chat user id")
	onAWS := fs.Bool("aws", false, "act on the AWS deployment instead of DATA_DIR (AWS credentials allowed by the token key's policy)")
	stack := fs.String("stack", "", "with -aws: the CloudFormation stack's name; its parameters, outputs and resources give the rest")
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
		return endSessionsOnAWS(ctx, getenv, *stack, *site, *user, out, logger, awsOverride)
	}
	if *stack != "" {
		return errors.New("end-sessions: -stack goes with -aws (AWS=1)")
	}
	return endSessionsLocally(ctx, getenv, *site, *user, out, logger)
}

// endSessionsOnAWS ends the sessions of the AWS deployment: the stack named
// stack, or, without it, the one the functions' environment in getenv names.
func endSessionsOnAWS(ctx context.Context, getenv func(string) string, stack, site, user string, out io.Writer,
	logger *slog.Logger, awsOverride func(*aws.Config)) error {
	if stack != "" {
		cfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return fmt.Errorf("aws config: %w", err)
		}
		if awsOverride != nil {
			awsOverride(&cfg)
		}
		if cfg.Region == "" {
			return errors.New("end-sessions: no AWS Region: set AWS_REGION to the stack's Region (or use a profile that names one)")
		}
		env, err := stackEnvironment(ctx, cloudformation.NewFromConfig(cfg), stack)
		if err != nil {
			return err
		}
		getenv = func(k string) string { return env[k] }
	} else if getenv("TOKENS_TABLE") == "" {
		return errors.New("end-sessions: with -aws, name the stack: -stack NAME (make end-sessions ... AWS=1 STACK_NAME=NAME)")
	}
	app, err := awsapp.New(ctx, getenv, awsapp.Options{Logger: logger, AWSConfig: awsOverride})
	if err != nil {
		return err
	}
	lister, ok := app.Service.Store.(sessionLister)
	if !ok {
		return errors.New("end-sessions: the AWS store cannot list sessions")
	}
	return endSessions(ctx, app.Service, lister, site, user, nil, out)
}

// endSessionsLocally ends the sessions kept in DATA_DIR, with the server
// stopped (it holds the data file).
//
// In sandbox mode the stand-in GitHub lived in the stopped server's memory:
// the tokens it issued died with it, and none can be revoked. A fresh
// stand-in answers the revocations instead; it knows none of the tokens, so
// each is confirmed dead (GitHub's own rule: a token GET /user refuses is
// gone), and the sessions end with nothing left to retry.
func endSessionsLocally(ctx context.Context, getenv func(string) string, site, user string, out io.Writer, logger *slog.Logger) error {
	env := getenv
	getenv = func(k string) string {
		// Ending sessions needs no webhook token; the server's check of it
		// must not stop the admin.
		if k == "ROCKETCHAT_WEBHOOK_TOKEN" && env(k) == "" && env("ROCKETCHAT_SITES_FILE") == "" {
			return "end-sessions-needs-no-webhook-token"
		}
		return env(k)
	}
	cfg, err := config.LoadLocal(getenv)
	if err != nil {
		return err
	}
	sandbox := cfg.Sandbox
	if sandbox {
		gh := githubtest.New(githubtest.Options{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret})
		ghURL, stop := gh.Start()
		defer stop()
		cfg.Sandbox, cfg.GitHubURL, cfg.GitHubAPIURL = false, ghURL, ghURL
	}
	a, err := localapp.New(cfg, localapp.Options{Logger: logger})
	if errors.Is(err, bolt.ErrLocked) {
		return fmt.Errorf("end-sessions: the server is running: it holds %s. Stop it first (Ctrl-C where `make run` runs, or systemctl stop), run this again, then start the server again", filepath.Join(cfg.DataDir, "sessions.db"))
	}
	if err != nil {
		return err
	}
	defer a.Close()
	if !sandbox {
		return endSessions(ctx, a.Service, a.DB, site, user, nil, out)
	}
	fmt.Fprintln(out, "GitHub sandbox: its tokens lived in the stopped server's memory and died with it; the sessions end here with nothing to revoke.")
	// A DATA_DIR once used with real GitHub (and the admin run without its
	// GITHUB_* variables) holds live tokens: those are not the sandbox's to
	// declare dead.
	issuedBySandbox := func(ctx context.Context, k session.Key) error {
		s, err := a.Service.Store.GetSession(ctx, k)
		if err != nil {
			return err
		}
		token, err := a.Service.Sealer.Open(ctx, k, s.SealedToken)
		if err != nil {
			return fmt.Errorf("its token does not open: %w", err)
		}
		if !sandboxToken.Match(token) {
			return errors.New("its token was not issued by the GitHub sandbox (real GitHub?): run this with that OAuth App's GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, so that it is revoked")
		}
		return nil
	}
	return endSessions(ctx, a.Service, a.DB, site, user, issuedBySandbox, out)
}

// sandboxToken is the shape of the tokens the GitHub sandbox (githubtest)
// issues: gho_ and 26 base32 characters. GitHub's own are gho_ and 36 letters
// and digits of both cases. TestEndSessionsAfterSandboxRun holds githubtest to it.
var sandboxToken = regexp.MustCompile(`^gho_[A-Z2-7]{26}$`)

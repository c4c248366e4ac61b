// Package awsapp wires the service for AWS Lambda: configuration from the
// environment, secrets read from Secrets Manager at cold start (the Rocket.Chat
// sites again every SitesRefresh), and the DynamoDB, EventBridge Scheduler and
// KMS adapters. Each function's main calls
// New and hands one of its handlers to lambda.Start.
package awsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	awsscheduler "github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"rcgithub/shared/config"
	"rcgithub/shared/dynamodb"
	"rcgithub/shared/emf"
	"rcgithub/shared/eventbridge"
	"rcgithub/shared/github"
	"rcgithub/shared/kms"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/secrets"
	"rcgithub/shared/session"
	"rcgithub/shared/web"
)

// SitesRefresh is how long the functions keep the Rocket.Chat sites read from
// the secret before reading it again: a token rotation or a new site takes
// effect within this time, and the secret is read at most once per instance
// per SitesRefresh.
const SitesRefresh = 5 * time.Minute

// App is the service wired to AWS.
type App struct {
	Service *session.Service
	Web     *web.Handler
	Sites   *config.LiveSites
	Logger  *slog.Logger
}

// Options let tests add SDK options (moto's endpoint, call counters); the
// functions pass none.
type Options struct {
	AWSConfig func(*aws.Config)
	Logger    *slog.Logger
	Now       func() time.Time
}

// New reads the configuration and secrets and builds the service. Its errors
// say precisely what is wrong, for the function's init log.
func New(ctx context.Context, getenv func(string) string, opts Options) (*App, error) {
	cfg, err := config.LoadAWS(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	if opts.AWSConfig != nil {
		opts.AWSConfig(&awsCfg)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	sm := secretsmanager.NewFromConfig(awsCfg)
	vals, err := secrets.Load(ctx, sm, cfg.SecretsARN)
	if err != nil {
		return nil, fmt.Errorf("SECRETS_ARN: %w", err)
	}
	sec := vals.Config()
	sites, err := config.CheckSecrets(sec)
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", cfg.SecretsARN, err)
	}
	// The Rocket.Chat sites are re-read from the secret, so that adding a site
	// or rotating its token needs no redeploy. The GitHub client secret is not.
	live := config.NewLiveSites(sites, SitesRefresh, now, func(ctx context.Context) (config.Sites, error) {
		v, err := secrets.Load(ctx, sm, cfg.SecretsARN)
		if err != nil {
			return nil, err
		}
		s, err := config.CheckSecrets(v.Config())
		if err != nil {
			return nil, fmt.Errorf("secret %s: %w", cfg.SecretsARN, err)
		}
		return s, nil
	}, logger)

	gh := github.Config{ClientID: cfg.ClientID, ClientSecret: sec.ClientSecret, BaseURL: cfg.GitHubURL,
		APIURL: cfg.GitHubAPIURL, RedirectURL: cfg.PublicURL + "/oauth/callback", Scopes: cfg.Scopes,
		HTTPClient: &http.Client{Timeout: 8 * time.Second}}
	notifier := &rocketchat.Notifier{Lookup: live.IncomingWebhookURL, Client: &http.Client{Timeout: 10 * time.Second}}
	svc := &session.Service{
		Store: dynamodb.New(awsdynamodb.NewFromConfig(awsCfg), cfg.TokensTable),
		Scheduler: eventbridge.New(awsscheduler.NewFromConfig(awsCfg), eventbridge.Config{
			Group: cfg.ScheduleGroup, TargetARN: cfg.LogoutFunctionARN, RoleARN: cfg.SchedulerRoleARN,
			DeadLetterARN: cfg.LogoutDLQARN, MaxRetries: 10, MaxEventAge: 86400,
		}),
		Sealer:   kms.New(awskms.NewFromConfig(awsCfg), cfg.TokenKMSKeyID),
		GitHub:   github.New(gh),
		Notifier: notifier,
		Metrics:  &emf.Writer{Out: os.Stdout},
		Logger:   logger,
		Now:      now,
		TTL:      cfg.SessionTTL,
		Scopes:   cfg.Scopes,
		IDKey:    session.DeriveIDKey(sec.ClientSecret),
	}
	h, err := web.New(svc, web.Config{PublicURL: cfg.PublicURL, GitHubURL: cfg.GitHubURL, TriggerWords: cfg.TriggerWords,
		SessionTTL: cfg.SessionTTL, Sites: live, Metrics: svc.Metrics, Logger: logger, Now: now})
	if err != nil {
		return nil, err
	}
	return &App{Service: svc, Sites: live, Logger: logger, Web: h}, nil
}

// Logout handles a scheduled automatic logout. A malformed payload is logged
// and returned as an error, so that it lands in the function's on-failure
// queue for an operator to see; it ends nothing.
func (a *App) Logout(ctx context.Context, payload json.RawMessage) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		ctx = web.WithRequestID(ctx, lc.AwsRequestID)
	}
	job, err := eventbridge.ParseJob(payload)
	if err != nil {
		a.Logger.ErrorContext(ctx, "automatic logout: malformed payload, nothing ended", "error", err, "payload_bytes", len(payload))
		return err
	}
	if err := a.Service.Expire(ctx, job); err != nil {
		a.Logger.ErrorContext(ctx, "automatic logout failed", "site", job.Site, "user", job.UserID,
			"generation", job.Generation, "attempt", job.Attempt, "error", err)
		return err
	}
	return nil
}

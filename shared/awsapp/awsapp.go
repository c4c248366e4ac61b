// Package awsapp wires the service for AWS Lambda: configuration from the
// environment, secrets read from Secrets Manager at cold start (the Rocket.Chat
// sites again every SitesRefresh), and the DynamoDB, EventBridge Scheduler and
// KMS adapters, assembled by wiring as the
// one-machine server is. Each function's main calls Init and hands its own
// handler to lambda.Start: WebhookRoutes, OAuthRoutes, Logout or Deferred.
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
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awseventbridge "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	awsscheduler "github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"rcgithub/shared/chatops"
	"rcgithub/shared/config"
	"rcgithub/shared/dynamodb"
	"rcgithub/shared/emf"
	"rcgithub/shared/eventbridge"
	"rcgithub/shared/eventbus"
	"rcgithub/shared/kms"
	"rcgithub/shared/secrets"
	"rcgithub/shared/session"
	"rcgithub/shared/sqsqueue"
	"rcgithub/shared/web"
	"rcgithub/shared/wiring"
)

// SitesRefresh is how long the functions keep the Rocket.Chat sites read from
// the secret before reading it again: a token rotation or a new site takes
// effect within this time, and the secret is read at most once per instance
// per SitesRefresh.
const SitesRefresh = 5 * time.Minute

// The AWS SDK retries of every call the functions make (DynamoDB, KMS,
// EventBridge Scheduler, Secrets Manager), tuned for the request paths: a
// call throttled on every attempt gives up after RequestMaxAttempts attempts
// and at most (RequestMaxAttempts-1) x RequestMaxBackoff of waiting, 2 s, so
// that a flow meeting a quota ends inside the webhook's 12 s and API Gateway's
// 30 s for the callback (whose two GitHub calls may take 8 s each), with the
// user told to try again, rather than being cut off by the deadline. The SDK's
// default waits up to 20 s between attempts. AWS may stretch a wait by its
// x-amz-retry-after header (by at most 5 s); the request's deadline bounds
// that.
//
// The standard mode, not the adaptive one: adaptive mode adds a client-side
// send rate learnt from throttling, per client; a Lambda instance serves one
// request at a time and makes a handful of calls, so it would learn little
// of the fleet's rate and delay its own next calls instead of failing them
// fast. The standard mode's retry quota (a token bucket per client) already
// stops an instance from retrying into a sustained throttle.
const (
	RequestMaxAttempts = 3
	RequestMaxBackoff  = time.Second
)

// RequestRetryer is the retryer New gives every AWS client, unless
// Options.AWSConfig set one.
func RequestRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = RequestMaxAttempts
		o.MaxBackoff = RequestMaxBackoff
	})
}

// App is the service wired to AWS.
type App struct {
	wiring.App
	// Deferrer sends the commands that cannot finish inside the webhook's
	// deadline to the commands queue (COMMANDS_QUEUE_URL); nil without it.
	Deferrer chatops.Deferrer
	// Commands finishes the deferred commands the commands function reads
	// from that queue (see Deferred): the web handler's RunDeferred.
	Commands DeferredRunner
}

// Options let tests add SDK options (moto's endpoint, call counters); the
// functions pass none.
type Options struct {
	AWSConfig func(*aws.Config)
	Logger    *slog.Logger
	Now       func() time.Time
	Metrics   session.Metrics // default: EMF lines on stdout (CloudWatch metrics)
	// GitHubHTTPClient makes the requests to GitHub (default: github.DefaultTimeout).
	GitHubHTTPClient *http.Client
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
	if awsCfg.Retryer == nil {
		awsCfg.Retryer = RequestRetryer
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

	metrics := opts.Metrics
	if metrics == nil {
		metrics = &emf.Writer{Out: os.Stdout}
	}
	// The webhook hands late commands to the commands queue (Deferrer);
	// every function publishes the domain events.
	deferrer := commandsQueue(awsCfg, cfg.CommandsQueueURL)
	w, err := wiring.Assemble(cfg.Common, sec.ClientSecret, live, wiring.Adapters{
		Events: eventBus(awsCfg, cfg.EventBusName),
		Store:  dynamodb.New(awsdynamodb.NewFromConfig(awsCfg), cfg.TokensTable),
		Scheduler: eventbridge.New(awsscheduler.NewFromConfig(awsCfg), eventbridge.Config{
			Group: cfg.ScheduleGroup, TargetARN: cfg.LogoutFunctionARN, RoleARN: cfg.SchedulerRoleARN,
			DeadLetterARN: cfg.LogoutDLQARN, MaxRetries: 10, MaxEventAge: 86400,
		}),
		Sealer:   kms.New(awskms.NewFromConfig(awsCfg), cfg.TokenKMSKeyID),
		Claims:   dynamodb.NewClaims(awsdynamodb.NewFromConfig(awsCfg), cfg.TokensTable, now),
		Deferrer: deferrer,
	}, wiring.Options{Logger: logger, Now: now, Metrics: metrics, GitHubHTTPClient: opts.GitHubHTTPClient})
	if err != nil {
		return nil, err
	}
	return &App{App: w, Deferrer: deferrer, Commands: w.Web}, nil
}

// eventBus is the domain events' publisher on the bus EVENT_BUS_NAME names,
// or nil (no events) when it is unset.
func eventBus(awsCfg aws.Config, name string) session.Events {
	if name == "" {
		return nil
	}
	return eventbus.New(awseventbridge.NewFromConfig(awsCfg), name)
}

// commandsQueue is the deferrer on the queue COMMANDS_QUEUE_URL names, or nil
// (commands are not deferred) when it is unset.
func commandsQueue(awsCfg aws.Config, queueURL string) chatops.Deferrer {
	if queueURL == "" {
		return nil
	}
	return sqsqueue.New(awssqs.NewFromConfig(awsCfg), queueURL)
}

// Init is New for a function's main: it logs in JSON on stdout, through
// web.LogHandler (request ids), and on a configuration error logs "init
// failed" with what is wrong and exits 1, which fails the cold start.
func Init() *App {
	logger := slog.New(web.LogHandler(slog.NewJSONHandler(os.Stdout, nil)))
	app, err := New(context.Background(), os.Getenv, Options{Logger: logger})
	if err != nil {
		logger.Error("init failed", "error", err)
		os.Exit(1)
	}
	return app
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

package faults_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	awsscheduler "github.com/aws/aws-sdk-go-v2/service/scheduler"

	"rcgithub/infra/test/faults"
	"rcgithub/shared/awsapp"
	"rcgithub/shared/awstest"
	"rcgithub/shared/dynamodb"
	"rcgithub/shared/eventbridge"
	"rcgithub/shared/kms"
	"rcgithub/shared/logtest"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

// awsResources are the AWS resources the worlds of one test share on moto;
// every world has users and a table of its own. (moto's TransactWriteItems
// copies the whole table to roll back, and breaks when another request
// changes the same table meanwhile: worlds run in parallel, so each gets its
// own table, which it uses one request at a time.)
type awsResources struct {
	cfg                aws.Config
	group, key, dlqARN string
}

const (
	logoutFunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:rcgithub-logout"
	schedulerRoleARN  = "arn:aws:iam::123456789012:role/rcgithub-scheduler"
)

// awsWorlds creates the AWS resources the worlds of test t share on moto
// (skipping t without moto, unless REQUIRE_MOTO=1) and returns a maker of
// worlds on them.
func awsWorlds(t *testing.T) func(t *testing.T) *world {
	res := newAWSResources(t)
	return func(t *testing.T) *world { return newAWSWorld(t, res, nil) }
}

func newAWSResources(t *testing.T) awsResources {
	var res awsResources
	res.cfg = awstest.Config(t)
	res.group = awstest.ScheduleGroup(t, res.cfg)
	res.key = awstest.KMSKey(t, res.cfg)
	_, res.dlqARN = awstest.Queue(t, res.cfg)
	return res
}

// noDelayRetryer is the SDK's standard retryer (which errors are retried, how
// many attempts, the retry quota) without the waits between attempts.
func noDelayRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

// newAWSWorld wires the service exactly as the Lambdas do (awsapp.New) against
// moto, with fault-injecting middleware on every AWS client. Only the GitHub
// client differs: its timeout is short, so that a stalled stand-in does not
// hold a test for awsapp's 8 seconds.
func newAWSWorld(t *testing.T, res awsResources, edit func(env map[string]string)) *world {
	return newAWSWorldWith(t, res, edit, func(c *aws.Config) { c.Retryer = noDelayRetryer })
}

// newAWSWorldWith is newAWSWorld with configure applied to the functions' AWS
// config (after the fault injection is installed): with nothing setting a
// retryer, awsapp's own applies.
func newAWSWorldWith(t *testing.T, res awsResources, edit func(env map[string]string), configure func(c *aws.Config)) *world {
	ctx := context.Background()
	table := awstest.Table(t, res.cfg)
	clock := sessiontest.NewClock(time.Now().UTC().Truncate(time.Second))
	srv, publicURL := newServer(t)
	gh, ghURL, chat := newStandIns(t, publicURL, clock)
	secret, _ := json.Marshal(map[string]string{"github_client_secret": clientSecret,
		"rocketchat_webhook_token": webhookToken, "rocketchat_incoming_webhook_url": chat.URL()})
	env := map[string]string{
		"PUBLIC_URL": publicURL, "GITHUB_CLIENT_ID": clientID, "GITHUB_URL": ghURL, "GITHUB_API_URL": ghURL,
		"TOKENS_TABLE": table, "SCHEDULE_GROUP": res.group, "LOGOUT_FUNCTION_ARN": logoutFunctionARN,
		"SCHEDULER_ROLE_ARN": schedulerRoleARN, "LOGOUT_DLQ_ARN": res.dlqARN, "TOKEN_KMS_KEY_ID": res.key,
		"SECRETS_ARN": awstest.Secret(t, res.cfg, string(secret)),
	}
	if edit != nil {
		edit(env)
	}
	inj := faults.NewAWSFaults()
	logs := &logtest.Buffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	app, err := awsapp.New(ctx, func(k string) string { return env[k] }, awsapp.Options{
		AWSConfig: func(c *aws.Config) { *c = res.cfg.Copy(); inj.Install(c); configure(c) },
		Logger:    logger, Now: clock.Now, GitHubHTTPClient: &http.Client{Timeout: githubTimeout},
	})
	if err != nil {
		t.Fatal(err)
	}
	ports := faults.NewPorts(app.Service)

	// What the checks read, through clients without fault injection.
	sched := eventbridge.New(awsscheduler.NewFromConfig(res.cfg), eventbridge.Config{Group: res.group,
		TargetARN: logoutFunctionARN, RoleARN: schedulerRoleARN, DeadLetterARN: res.dlqARN, MaxRetries: 10, MaxEventAge: 86400})
	w := &world{backend: "aws", svc: app.Service, ports: ports, aws: inj, gh: gh, chat: chat, clock: clock, logs: logs}
	eb := &eventBridge{app: app, sched: sched, ports: ports, clock: clock}
	w.runDue = eb.runDue
	w.redrive = eb.redrive
	w.inspector = faults.Inspector{
		Store:  dynamodb.New(awsdynamodb.NewFromConfig(res.cfg), table),
		Sealer: kms.New(awskms.NewFromConfig(res.cfg), res.key),
		Due:    sched.Due, GitHub: gh, Ledger: ports, Handed: eb.handedJobs,
	}
	w.finish(t, srv, publicURL, app.Web.Routes())
	return w
}

// eventBridge plays EventBridge Scheduler and Lambda for the schedules the
// service created on moto (moto stores schedules but never runs them): when a
// schedule is due it invokes the logout function with its payload, retries a
// failed invocation twice as Lambda's asynchronous invocation does, hands an
// event that failed all three times to the on-failure queue, and deletes the
// schedule (ActionAfterCompletion DELETE).
type eventBridge struct {
	app    *awsapp.App
	sched  *eventbridge.Scheduler
	ports  *faults.Ports
	clock  *sessiontest.Clock
	mu     sync.Mutex
	handed []session.Job
}

func (e *eventBridge) runDue(ctx context.Context) error {
	for range 10 { // jobs a run schedules "now" are a minute ahead; a few passes suffice
		type dueJob struct {
			job session.Job
			at  time.Time
		}
		var due []dueJob
		for _, job := range e.ports.Jobs() {
			at, ok, err := e.sched.Due(ctx, job)
			if err != nil {
				return err
			}
			if ok && !at.After(e.clock.Now()) {
				due = append(due, dueJob{job, at})
			}
		}
		if len(due) == 0 {
			return nil
		}
		sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
		for _, d := range due {
			payload, _ := json.Marshal(d.job)
			var err error
			for range 3 {
				if err = e.app.Logout(ctx, payload); err == nil {
					break
				}
			}
			if err != nil {
				e.mu.Lock()
				e.handed = append(e.handed, d.job)
				e.mu.Unlock()
			}
			if err := e.sched.Cancel(ctx, d.job); err != nil {
				return err
			}
		}
	}
	return nil
}

// redrive invokes the logout function again with every event in the
// on-failure queue, as an operator does after the alarm; the events that
// fail again stay in the queue.
func (e *eventBridge) redrive(ctx context.Context) error {
	e.mu.Lock()
	queued := e.handed
	e.handed = nil
	e.mu.Unlock()
	for _, job := range queued {
		payload, _ := json.Marshal(job)
		if err := e.app.Logout(ctx, payload); err != nil {
			e.mu.Lock()
			e.handed = append(e.handed, job)
			e.mu.Unlock()
		}
	}
	return nil
}

func (e *eventBridge) handedJobs() []session.Job {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.handed)
}

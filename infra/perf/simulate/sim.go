package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"rcgithub/shared/aesgcm"
	"rcgithub/shared/memstore"
	"rcgithub/shared/session"
)

// Config is one simulation run.
type Config struct {
	Users   int
	Days    int
	Sites   int // Rocket.Chat sites (each with its own incoming webhook)
	Seed    uint64
	Workers int           // goroutines that run one minute's requests
	TTLLag  time.Duration // DynamoDB TTL's longest lag, modelled by memstore
	Start   time.Time     // 00:00 UTC of the first day; a Monday
	// OutageFrom and OutageFor: GitHub fails revocations for a while
	// (zero OutageFor: never), which exercises the retry window.
	OutageFrom time.Duration // from Start
	OutageFor  time.Duration
	// RevocationLimit is how many revocations GitHub accepts in each hour
	// window of its primary rate limit for the app's client-credential calls
	// (0: no limit); over it the service postpones them.
	RevocationLimit int
	// Progress, when set, gets a line at the end of each simulated day.
	Progress io.Writer
}

// sessionTTL is production's session lifetime (config's default).
const sessionTTL = 7 * 24 * time.Hour

// Day is what one simulated day ends with.
type Day struct {
	Date                     time.Time
	Logins                   int64 // sessions started that day
	LogoutsUser, LogoutsAuto int64
	LogoutsReplaced          int64
	LogoutsRevokedAtGitHub   int64
	Records                  memstore.Records // at the end of the day
	// Bound is live + retired + 4 × the links made within the TTL lag (plus
	// two link windows) before the end of the day: each link writes at most
	// 4 items TTL deletes (link, message, quota, pending authorization).
	Bound          int
	LinksInLag     int64
	TotalLogins    int64 // since the start
	SchedulesAlive int
	// RetiredCounted is the retired records as countingStore counted them:
	// it must equal Records.Retired.
	RetiredCounted int
}

// Result is what a run measured.
type Result struct {
	Config Config
	Wall   time.Duration
	// PerMinute[m][f] is how many flows f ran in minute m.
	PerMinute [][numFlows]int32
	// GitHub calls per minute: exchanges, /user, revocations.
	GHExchange, GHUser, GHRevoke []int32
	// Revocation calls per minute GitHub accepted and refused for its rate
	// limit, and the first call for each token (the revocations needed).
	GHRevokeAccepted, GHRevokeRefused, GHRevokeFirst []int32
	// RevocationWindows: revocations GitHub accepted in each window of its
	// rate limit, in order.
	RevocationWindows []int32
	// Backlog, each hour: retired records (the store's count) and tokens
	// alive at GitHub whose session ended (GitHub's side).
	Backlog []BacklogSample
	// How long tokens stayed alive at GitHub after their session ended: p99
	// and longest of those revoked, the oldest still alive at the end.
	LifeP99, LifeLongest, LifeOldestAlive time.Duration
	LifeRevoked                           int64
	// KilledAwaiting: tokens their users revoked at GitHub while the service
	// was waiting to; AwaitingAtEnd: tokens of ended sessions still alive.
	KilledAwaiting, AwaitingAtEnd int64
	// Notices per minute of the busiest incoming webhook, and how many site-minutes
	// posted more than the default rate limiter lets through (10 per 60 s).
	HookPeakPerMinute []int32
	HookMinutesOver   int64
	HookPostsOver     int64
	Days              []Day
	PeakSchedules     int
	PeakSchedulesAt   time.Time
	Metrics           map[string]int64
	Errors            int64
	FirstErrors       []string
	// Checked at the end: tokens alive at GitHub that no live session (or
	// retired one awaiting its revocation) holds; live sessions past their end.
	OrphanTokens        int
	SessionsPastEnd     int
	RetiredAtEnd        int
	StorageBoundBroken  int // days whose records exceeded their bound
	RevocationsFailed   int64
	RevocationsOverdue  int64
	RevocationAbandoned int64
	// RetiredHeld: retired records at the end whose token is alive at GitHub
	// and whose revocation is scheduled (the backlog that legitimately
	// remains). RetiredUnscheduled: retired records neither revoked nor
	// scheduled nor abandoned (lost work).
	RetiredHeld, RetiredUnscheduled int
	// RetiredScheduled: retired records at the end with their revocation
	// scheduled (RetiredHeld of them hold a token still alive at GitHub; the
	// others' users revoked theirs meanwhile).
	RetiredScheduled int
	// BacklogMiscounted: days whose counted retired records differ from the
	// store's own count (the hourly backlog would be wrong).
	BacklogMiscounted int
}

// BacklogSample is the revocation backlog at one time.
type BacklogSample struct {
	At       time.Time
	Retired  int   // retired records in the store (tokens awaiting revocation)
	Awaiting int64 // tokens alive at GitHub whose session ended
}

// clock is the virtual clock every part reads.
type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time  { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time) { c.ns.Store(t.UnixNano()) }

// counters counts metrics the service reports, and notices per site.
type counters struct {
	metrics map[session.Metric]*atomic.Int64
	sites   map[string]int
	notices []atomic.Int32 // this minute's notices, by site
}

func (c *counters) Count(_ context.Context, m session.Metric) {
	if n, ok := c.metrics[m]; ok {
		n.Add(1)
	}
}

// Notify counts the incoming-webhook post Rocket.Chat would get.
func (c *counters) Notify(_ context.Context, n session.Notice) error {
	if i, ok := c.sites[n.Site]; ok {
		c.notices[i].Add(1)
	}
	return nil
}

// sim is one run in progress.
type sim struct {
	cfg       Config
	clock     *clock
	store     *memstore.Store
	counted   *countingStore // the store as the service sees it
	scheduler *memstore.Scheduler
	tracked   *trackedScheduler // the scheduler as the service sees it
	sealer    *aesgcm.Sealer
	github    *fakeGitHub
	svc       *session.Service
	count     *counters
	pop       population
	siteURL   []string

	ends    []int64 // per user: the end (Unix s) of the session the user believes live; 0: none
	buckets [][]event
	minute  [numFlows]atomic.Int32

	errs     atomic.Int64
	errMu    sync.Mutex
	firstErr []string
}

func siteURL(i int) string { return fmt.Sprintf("https://chat%03d.example.com", i) }

func userID(u int) string { return "u" + strconv.Itoa(u) }

func newSim(cfg Config) (*sim, error) {
	s := &sim{cfg: cfg, clock: &clock{}}
	s.clock.set(cfg.Start)
	s.store = memstore.NewStoreWithTTL(memstore.TTL{Now: s.clock.Now, MaxLag: cfg.TTLLag, Seed: cfg.Seed})
	s.counted = &countingStore{Store: s.store}
	s.scheduler = memstore.NewScheduler(s.clock.Now)
	s.tracked = newTrackedScheduler(s.scheduler)
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	sealer, err := aesgcm.New(key)
	if err != nil {
		return nil, fmt.Errorf("sealer: %w", err)
	}
	s.sealer = sealer
	s.github = newFakeGitHub(cfg.Users, s.clock.Now)
	s.github.limit = cfg.RevocationLimit
	if cfg.OutageFor > 0 {
		s.github.outageFrom = cfg.Start.Add(cfg.OutageFrom).UnixNano()
		s.github.outageTo = cfg.Start.Add(cfg.OutageFrom + cfg.OutageFor).UnixNano()
	}
	s.count = &counters{metrics: map[session.Metric]*atomic.Int64{}, sites: map[string]int{},
		notices: make([]atomic.Int32, cfg.Sites)}
	for _, m := range session.AllMetrics() {
		s.count.metrics[m] = &atomic.Int64{}
	}
	for i := range cfg.Sites {
		s.siteURL = append(s.siteURL, siteURL(i))
		s.count.sites[siteURL(i)] = i
	}
	// The service as wiring.Assemble builds it, with the in-process GitHub
	// and a notifier that counts the incoming-webhook posts.
	s.svc = &session.Service{
		Store: s.counted, Scheduler: s.tracked, Sealer: s.sealer, GitHub: s.github,
		Notifier: s.count, Metrics: s.count, Logger: slog.New(slog.DiscardHandler), Now: s.clock.Now,
		TTL: sessionTTL, IDKey: session.DeriveIDKey("simulation client secret"),
	}
	s.pop = newPopulation(cfg.Users, cfg.Sites, cfg.Seed)
	s.ends = make([]int64, cfg.Users)
	s.buckets = make([][]event, cfg.Days*24*60)
	return s, nil
}

func (s *sim) fail(what string, err error) {
	if s.errs.Add(1) <= 5 {
		s.errMu.Lock()
		s.firstErr = append(s.firstErr, what+": "+err.Error())
		s.errMu.Unlock()
	}
}

// plan puts the events of local day day of every user in their minutes.
func (s *sim) plan(day int) {
	for u := range s.cfg.Users {
		dayEvents(s.cfg.Seed, u, zones[s.pop.zone[u]], s.cfg.Start, day, func(m int, k eventKind) {
			if m >= 0 && m < len(s.buckets) {
				s.buckets[m] = append(s.buckets[m], event{user: uint32(u), kind: k})
			}
		})
	}
}

func (s *sim) key(u int) session.Key {
	return session.Key{Site: s.siteURL[s.pop.site[u]], UserID: userID(u)}
}

// live tells whether user u believes a session is live now.
func (s *sim) live(u int) bool { return s.ends[u] > s.clock.Now().Unix() }

// run does one user's event through the service's own methods.
func (s *sim) run(ctx context.Context, e event, minute int) {
	u := int(e.user)
	switch e.kind {
	case evArrive:
		switch {
		case !s.live(u):
			s.login(ctx, u, minute, false)
		default:
			r := newRNG(s.cfg.Seed, 4, uint64(u), uint64(minute))
			x := r.float()
			switch {
			case x < pReloginArrival:
				s.login(ctx, u, minute, true)
			case x < pReloginArrival+pStatusArrival:
				if s.status(ctx, u) {
					s.login(ctx, u, minute, false) // told the session ended: logs in again
				}
			}
		}
	case evStatus:
		if s.live(u) {
			s.status(ctx, u)
		}
	case evLogout:
		if s.live(u) {
			s.logout(ctx, u)
		}
	case evRevokeGH:
		s.github.revokeAtGitHub(u)
	}
}

// login runs the four steps of a login; replacing says a session is live.
func (s *sim) login(ctx context.Context, u, minute int, replacing bool) {
	r := newRNG(s.cfg.Seed, 5, uint64(u), uint64(minute))
	k := s.key(u)
	l, err := s.svc.StartLogin(ctx, session.LinkRequest{Key: k, UserName: k.UserID,
		MessageID: "m" + strconv.Itoa(minute) + "-" + k.UserID, Trigger: "/github"})
	s.minute[flowLoginLink].Add(1)
	if err != nil {
		s.fail("start login", err)
		return
	}
	if r.float() < pAbandonLink {
		return
	}
	s.minute[flowOpenLink].Add(1)
	if _, err := s.svc.OpenLink(ctx, l.ID); err != nil {
		s.fail("open link", err)
		return
	}
	if r.float() < pAbandonPage {
		return
	}
	const browser = "browser-secret"
	s.minute[flowAuthorize].Add(1)
	state, err := s.svc.Authorize(ctx, l.ID, browser)
	if err != nil {
		s.fail("authorize", err)
		return
	}
	if replacing {
		s.minute[flowCallbackRelogin].Add(1)
	} else {
		s.minute[flowCallback].Add(1)
	}
	login, err := s.svc.CompleteLogin(ctx, state, codeOf(u), browser)
	if err != nil {
		s.fail("complete login", err)
		return
	}
	s.ends[u] = login.Ends.Unix()
}

// status runs "/github status" and tells whether it found the session ended.
func (s *sim) status(ctx context.Context, u int) (ended bool) {
	_, err := s.svc.GetStatus(ctx, s.key(u))
	switch {
	case errors.Is(err, session.ErrEndedAtGitHub):
		s.minute[flowStatusEnded].Add(1)
		s.ends[u] = 0
		return true
	case err != nil:
		s.minute[flowStatus].Add(1)
		s.fail("status", err)
	default:
		s.minute[flowStatus].Add(1)
	}
	return false
}

func (s *sim) logout(ctx context.Context, u int) {
	res, err := s.svc.Logout(ctx, s.key(u))
	switch {
	case err != nil:
		s.minute[flowLogout].Add(1)
		s.fail("logout", err)
	case res.Revoked:
		s.minute[flowLogout].Add(1)
	case s.github.down():
		s.minute[flowLogoutDown].Add(1)
	default:
		s.minute[flowLogoutLimited].Add(1) // GitHub refused for its rate limit
	}
	s.ends[u] = 0
}

// expire is the scheduler's handler: Service.Expire, classified by what
// the job found (read before it runs, outside the costed calls) and whether
// GitHub refused its revocation for the rate limit (jobs run one at a time,
// and no request runs meanwhile: the refusals counted are the job's).
func (s *sim) expire(ctx context.Context, job session.Job) error {
	cur, err := s.store.GetSession(ctx, job.Key())
	live := err == nil && cur.Generation == job.Generation
	down := s.github.down()
	refused := s.github.revokesRefused.Load()
	err = s.svc.Expire(ctx, job)
	limited := s.github.revokesRefused.Load() > refused
	switch {
	case (job.Attempt > 0 || job.Postponed > 0) && down:
		s.minute[flowRetryDown].Add(1)
	case (job.Attempt > 0 || job.Postponed > 0) && limited:
		s.minute[flowRetryLimited].Add(1)
	case job.Attempt > 0 || job.Postponed > 0:
		s.minute[flowRetryOK].Add(1)
	case !live:
		s.minute[flowExpireStale].Add(1)
	case down:
		s.minute[flowExpireDown].Add(1)
	case limited:
		s.minute[flowExpireLimited].Add(1)
	default:
		s.minute[flowExpire].Add(1)
	}
	if err != nil {
		s.fail("expire", err)
		return err
	}
	return nil
}

// Run simulates cfg and returns what it measured.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	began := time.Now()
	s, err := newSim(cfg)
	if err != nil {
		return nil, err
	}
	minutes := cfg.Days * 24 * 60
	res := &Result{Config: cfg, PerMinute: make([][numFlows]int32, minutes),
		GHExchange: make([]int32, minutes), GHUser: make([]int32, minutes), GHRevoke: make([]int32, minutes),
		GHRevokeAccepted: make([]int32, minutes), GHRevokeRefused: make([]int32, minutes), GHRevokeFirst: make([]int32, minutes),
		HookPeakPerMinute: make([]int32, minutes), Metrics: map[string]int64{}}
	// Local days reach into the UTC days around them: plan one day ahead.
	s.plan(-1)
	s.plan(0)
	var lastEx, lastUser, lastRevoke, lastAccepted, lastRefused, lastFirst int64
	var prevMetrics map[session.Metric]int64
	snapshotMetrics := func() map[session.Metric]int64 {
		out := map[session.Metric]int64{}
		for m, n := range s.count.metrics {
			out[m] = n.Load()
		}
		return out
	}
	prevMetrics = snapshotMetrics()
	lagWindow := int((cfg.TTLLag + 2*session.LinkTTL) / time.Minute)
	for m := range minutes {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("simulation: %w", err)
		}
		if m%(24*60) == 0 {
			s.plan(m/(24*60) + 1)
		}
		now := cfg.Start.Add(time.Duration(m) * time.Minute)
		s.clock.set(now)
		// Automatic logouts and retries due now, as EventBridge Scheduler
		// would invoke the logout function.
		if _, err := s.scheduler.RunDue(ctx, s.expire); err != nil {
			return nil, fmt.Errorf("simulation: run due jobs: %w", err)
		}
		s.runMinute(ctx, m)
		s.buckets[m] = nil
		s.store.Sweep()
		for f := range numFlows {
			res.PerMinute[m][f] = s.minute[f].Swap(0)
		}
		ex, us, rv := s.github.exchanges.Load(), s.github.users.Load(), s.github.revokes.Load()
		res.GHExchange[m], res.GHUser[m], res.GHRevoke[m] = int32(ex-lastEx), int32(us-lastUser), int32(rv-lastRevoke)
		lastEx, lastUser, lastRevoke = ex, us, rv
		acc, ref, first := s.github.revokesAccepted.Load(), s.github.revokesRefused.Load(), s.github.revokesFirst.Load()
		res.GHRevokeAccepted[m], res.GHRevokeRefused[m], res.GHRevokeFirst[m] = int32(acc-lastAccepted), int32(ref-lastRefused), int32(first-lastFirst)
		lastAccepted, lastRefused, lastFirst = acc, ref, first
		if (m+1)%60 == 0 {
			res.Backlog = append(res.Backlog, BacklogSample{At: now.Add(time.Minute), Retired: int(s.counted.retired.Load()),
				Awaiting: s.github.awaiting.Load()})
		}
		var peak int32
		for i := range s.count.notices {
			n := s.count.notices[i].Swap(0)
			peak = max(peak, n)
			if n > 10 {
				res.HookMinutesOver++
				res.HookPostsOver += int64(n - 10)
			}
		}
		res.HookPeakPerMinute[m] = peak
		if n, _ := s.scheduler.Pending(ctx); n > res.PeakSchedules {
			res.PeakSchedules, res.PeakSchedulesAt = n, now
		}
		if (m+1)%(24*60) == 0 {
			s.clock.set(now.Add(time.Minute))
			d := s.day(res, m, lagWindow, prevMetrics, snapshotMetrics())
			res.Days = append(res.Days, d)
			if cfg.Progress != nil {
				fmt.Fprintf(cfg.Progress, "simulate: day %d/%d (%s): %d logins, %d live, %d records, %d awaiting revocation; %s so far\n",
					len(res.Days), cfg.Days, d.Date.Format("Mon 01-02"), d.Logins, d.Records.Live, d.Records.Total(), d.Records.Retired, time.Since(began).Round(time.Second))
			}
			prevMetrics = snapshotMetrics()
			s.clock.set(now)
		}
	}
	s.clock.set(cfg.Start.Add(time.Duration(minutes) * time.Minute))
	s.check(ctx, res)
	for m, n := range snapshotMetrics() {
		res.Metrics[m.String()] = n
	}
	res.Errors = s.errs.Load()
	res.FirstErrors = s.firstErr
	res.RevocationsFailed = s.github.revokesFailed.Load()
	res.RevocationsOverdue = res.Metrics[session.FailureRevocationOverdue.String()]
	res.RevocationAbandoned = res.Metrics[session.FailureRevocationAbandoned.String()]
	res.RevocationWindows = s.github.revocationWindows()
	res.LifeP99, res.LifeLongest, res.LifeOldestAlive, res.LifeRevoked = s.github.lifeAfterEnd(s.clock.Now())
	res.KilledAwaiting, res.AwaitingAtEnd = s.github.killedAwaiting.Load(), s.github.awaiting.Load()
	res.Wall = time.Since(began)
	return res, nil
}

// runMinute runs minute m's events, spread over the workers: events of
// different users are independent, and a user has one event a minute at most
// (two at worst, run by the same worker in order).
func (s *sim) runMinute(ctx context.Context, m int) {
	evs := s.buckets[m]
	workers := max(1, s.cfg.Workers)
	if len(evs) < 64 || workers == 1 {
		for _, e := range evs {
			s.run(ctx, e, m)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, e := range evs {
				if int(e.user)%workers == w {
					s.run(ctx, e, m)
				}
			}
		}()
	}
	wg.Wait()
}

// day summarises the day that ends after minute m.
func (s *sim) day(res *Result, m, lagWindow int, before, after map[session.Metric]int64) Day {
	d := Day{Date: s.cfg.Start.Add(time.Duration(m/(24*60)) * 24 * time.Hour)}
	diff := func(x session.Metric) int64 { return after[x] - before[x] }
	d.Logins = diff(session.Logins)
	d.LogoutsUser, d.LogoutsAuto = diff(session.LogoutUser), diff(session.LogoutAutomatic)
	d.LogoutsReplaced, d.LogoutsRevokedAtGitHub = diff(session.LogoutReplaced), diff(session.LogoutRevokedAtGitHub)
	d.TotalLogins = after[session.Logins]
	d.Records = s.store.Records()
	d.RetiredCounted = int(s.counted.retired.Load())
	if d.RetiredCounted != d.Records.Retired {
		res.BacklogMiscounted++
	}
	for i := max(0, m-lagWindow+1); i <= m; i++ {
		d.LinksInLag += int64(res.PerMinute[i][flowLoginLink])
	}
	d.Bound = d.Records.Live + d.Records.Retired + 4*int(d.LinksInLag)
	if d.Records.Total() > d.Bound {
		res.StorageBoundBroken++
	}
	d.SchedulesAlive, _ = s.scheduler.Pending(context.Background())
	return d
}

// check looks for tokens alive at GitHub past their session's end, and for
// sessions past their end: every session must end, and its token with it.
func (s *sim) check(ctx context.Context, res *Result) {
	now := s.clock.Now()
	heldLive := map[string]bool{} // tokens a live session holds
	for tok, u := range s.github.aliveTokens() {
		k := s.key(int(u))
		cur, err := s.store.GetSession(ctx, k)
		if err == nil {
			if plain, err := s.sealer.Open(ctx, k, cur.SealedToken); err == nil && string(plain) == tok && now.Before(cur.Ends.Add(time.Minute)) {
				heldLive[tok] = true
				continue
			}
		}
		res.OrphanTokens++
	}
	recs := s.store.Records()
	res.RetiredAtEnd = recs.Retired
	// A token no live session holds is excused only when a retired record of
	// its user holds that very token and its revocation is scheduled: the
	// backlog that legitimately remains.
	if res.OrphanTokens > 0 || recs.Retired > 0 {
		res.OrphanTokens = 0
		alive := s.github.aliveTokens()
		pending := s.tracked.pendingRetries(ctx)
		held := map[string]bool{} // tokens a scheduled retired record holds
		type retired struct {
			key session.Key
			gen int64
		}
		scheduled := map[retired]bool{}
		for k, jobs := range pending {
			for _, j := range jobs {
				if scheduled[retired{k, j.Generation}] {
					continue
				}
				r, err := s.store.GetRetired(ctx, k, j.Generation)
				if err != nil {
					continue
				}
				scheduled[retired{k, j.Generation}] = true
				if plain, err := s.sealer.Open(ctx, k, r.SealedToken); err == nil {
					if _, ok := alive[string(plain)]; ok {
						held[string(plain)] = true
						res.RetiredHeld++
					}
				}
			}
		}
		for tok := range alive {
			if !heldLive[tok] && !held[tok] {
				res.OrphanTokens++
			}
		}
		// Every retired record is scheduled, or abandoned (kept for an
		// operator after the retries): no revocation is left with nothing
		// pending.
		res.RetiredScheduled = len(scheduled)
		res.RetiredUnscheduled = max(0, recs.Retired-len(scheduled)-int(s.count.metrics[session.FailureRevocationAbandoned].Load()))
	}
	for u := range s.cfg.Users {
		cur, err := s.store.GetSession(ctx, s.key(u))
		if err == nil && !now.Before(cur.Ends.Add(time.Minute)) {
			res.SessionsPastEnd++
		}
	}
}

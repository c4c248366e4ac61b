package main

import (
	"math"
	"time"
)

// The users' behaviour. Each number is an assumption of the model, not a
// measurement; docs/scale.md discusses them.
const (
	pActiveWorkday  = 0.6   // a user needs GitHub from chat on a working day
	pActiveWeekend  = 0.05  // ... on a Saturday or Sunday
	arrivalSigma    = 40.0  // minutes: spread of arrivals around 09:00 local
	arrivalClip     = 180.0 // minutes: no arrival more than 3 h from 09:00
	pAbandonLink    = 0.03  // asks for a login link and never opens it
	pAbandonPage    = 0.02  // opens the link page and never presses Continue
	pStatusArrival  = 0.3   // with a session: "/github status" on arrival
	pReloginArrival = 0.02  // with a session: logs in again on arrival (replaces it)
	pExtraStatus    = 0.2   // a "/github status" later in the day, 10:00-17:00 local
	pLogoutEvening  = 0.05  // with a session: "/github logout" around 17:30 local
	pRevokeAtGitHub = 0.002 // per day: revokes the token in GitHub's settings
)

// zone is a time zone users work in, and its share of the sites.
type zone struct {
	name   string
	offset int // minutes east of UTC
	weight float64
}

// zones spread the sites over several continents; half-hour offsets included.
var zones = []zone{
	{"UTC-8 (US Pacific)", -8 * 60, 0.10},
	{"UTC-5 (US Eastern)", -5 * 60, 0.20},
	{"UTC+0 (UK)", 0, 0.10},
	{"UTC+1 (Central Europe)", 60, 0.25},
	{"UTC+2 (Eastern Europe)", 120, 0.05},
	{"UTC+5:30 (India)", 330, 0.15},
	{"UTC+8 (China, Singapore)", 480, 0.10},
	{"UTC+9 (Japan, Korea)", 540, 0.05},
}

// pShareSiteZone is the share of a site's users who work in the site's own
// zone; the others are spread over all zones.
const pShareSiteZone = 0.8

// eventKind is what a user does at a minute.
type eventKind uint8

const (
	evArrive   eventKind = iota + 1 // logs in, or checks or renews the session
	evStatus                        // "/github status"
	evLogout                        // "/github logout"
	evRevokeGH                      // revokes the token at GitHub
)

// event is one thing one user does.
type event struct {
	user uint32
	kind eventKind
}

// rng is splitmix64: a fast, seedable generator; one per user and day makes
// the run the same whatever the number of workers.
type rng struct{ s uint64 }

func newRNG(seed uint64, parts ...uint64) rng {
	r := rng{s: seed}
	for _, p := range parts {
		r.s ^= p + 0x9e3779b97f4a7c15 + (r.s << 6) + (r.s >> 2)
		r.next()
	}
	return r
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float is uniform in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// normal is a standard normal deviate (Box-Muller).
func (r *rng) normal() float64 {
	u1 := r.float()
	if u1 < 1e-300 {
		u1 = 1e-300
	}
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*r.float())
}

// pickZone picks a zone by weight.
func pickZone(r *rng) int {
	x := r.float()
	for i, z := range zones {
		if x < z.weight {
			return i
		}
		x -= z.weight
	}
	return len(zones) - 1
}

// population places the users: a site each (round robin) and a zone each.
type population struct {
	site []uint16
	zone []uint8
}

func newPopulation(users, sites int, seed uint64) population {
	p := population{site: make([]uint16, users), zone: make([]uint8, users)}
	siteZone := make([]uint8, sites)
	for s := range siteZone {
		r := newRNG(seed, 1, uint64(s))
		siteZone[s] = uint8(pickZone(&r))
	}
	for u := range users {
		s := u % sites
		p.site[u] = uint16(s)
		r := newRNG(seed, 2, uint64(u))
		if r.float() < pShareSiteZone {
			p.zone[u] = siteZone[s]
		} else {
			p.zone[u] = uint8(pickZone(&r))
		}
	}
	return p
}

// dayEvents calls add for each event user u plans on local day day (0: the
// first day of the run, whose date is start's), at a minute counted from
// start (which may be before 0 or past the run; the caller drops those).
func dayEvents(seed uint64, u int, z zone, start time.Time, day int, add func(minute int, k eventKind)) {
	r := newRNG(seed, 3, uint64(u), uint64(day))
	date := start.AddDate(0, 0, day)
	workday := date.Weekday() != time.Saturday && date.Weekday() != time.Sunday
	// Minutes from start to local midnight of that day.
	midnight := day*24*60 - z.offset
	at := func(localMinute float64) int { return midnight + int(localMinute) }
	p := pActiveWeekend
	if workday {
		p = pActiveWorkday
	}
	if r.float() < p {
		jitter := math.Max(-arrivalClip, math.Min(arrivalClip, r.normal()*arrivalSigma))
		add(at(9*60+jitter), evArrive)
		if r.float() < pExtraStatus {
			add(at(10*60+r.float()*7*60), evStatus)
		}
		if r.float() < pLogoutEvening {
			add(at(17*60+30+r.normal()*30), evLogout)
		}
	}
	if r.float() < pRevokeAtGitHub {
		add(at(8*60+r.float()*12*60), evRevokeGH)
	}
}

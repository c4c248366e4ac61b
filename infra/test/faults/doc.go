// Package faults is the reliability test kit: it makes the service's
// dependencies fail on purpose and checks, after every fault, that nothing was
// lost, leaked or ended that should not have been.
//
//   - AWSFaults is AWS SDK middleware that answers chosen calls in place of AWS
//     with the error AWS would send (throttling, 5xx), before the request
//     leaves or after it took effect (an answer lost on the way back). moto
//     itself never fails.
//   - Ports wraps the service's ports (Store, Scheduler, Sealer, GitHub): it
//     makes chosen calls fail or ends the request right after one (the
//     process dying there), and records every generation and job the service
//     wrote, so the checks know what to look for.
//   - Inspector checks the three invariants: I1 no stored token lacks a
//     pending job that will deal with it; I2 no session is ended except by its
//     own logout; I3 no token is alive at GitHub that the service does not
//     track.
//   - Flow drives the service over HTTP as Rocket.Chat and a browser do.
//
// The tests in this directory run the fault tables against the embedded
// default (bbolt) and against the AWS wiring on moto. Import this package from
// tests only.
package faults

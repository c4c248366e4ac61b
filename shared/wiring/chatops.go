package wiring

import (
	"fmt"

	"rcgithub/shared/chatops"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/web"
)

// assembleChat turns on the commands that act at GitHub when the deployment
// gives what they need: a GitHub API (o.ConnectGitHub) and claims
// (a.Claims). Late commands go to a.Deferrer (AWS: a queue), or, with
// o.DeferLocally, to a LocalDeferrer of this process; with neither, the user
// is told to try again.
func assembleChat(app *App, a Adapters, o Options, notifier *rocketchat.Notifier) error {
	if o.ConnectGitHub == nil || a.Claims == nil {
		return nil
	}
	// *session.Service hands out the sessions' tokens.
	sessions, ok := any(app.Service).(chatops.Sessions)
	if !ok {
		app.Logger.Warn("chat commands off: the session service hands out no tokens")
		return nil
	}
	app.Chat = &chatops.Service{Sessions: sessions, Connect: o.ConnectGitHub, Claims: a.Claims, Logger: o.Logger, Now: o.Now}
	deferrer := a.Deferrer
	if deferrer == nil && o.DeferLocally {
		app.LocalDeferrer = NewLocalDeferrer(app.Web.RunDeferred, o.Logger)
		deferrer = app.LocalDeferrer
	}
	if err := app.Web.EnableChatOps(web.ChatOps{Service: app.Chat, Deferrer: deferrer, Messenger: notifier}); err != nil {
		return fmt.Errorf("wiring: %w", err)
	}
	return nil
}

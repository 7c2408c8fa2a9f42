package main

import (
	"context"
	"time"

	"xdemat"
	"xdemat/agent/localapi"
	"xdemat/agent/program"
)

// delaiSonde is how long the agent service has to answer before the app
// starts its own: it answers in milliseconds when it runs.
const delaiSonde = 3 * time.Second

// connecter returns a client of the agent of dataDir: the service's when it
// answers, else one started in this process (returned so that it is closed
// with the window).
func connecter(ctx context.Context, dataDir string) (*localapi.Client, *program.Main, error) {
	if c, err := localapi.Dial(dataDir); err == nil {
		sctx, cancel := context.WithTimeout(ctx, delaiSonde)
		_, err = c.Etat(sctx)
		cancel()
		if err == nil {
			return c, nil, nil
		}
		c.Close()
		if !localapi.IsUnavailable(err) && xdemat.ErrorCode(err) != xdemat.EINTERNAL {
			return nil, nil, err // it answers, and refuses: starting another would not help
		}
	} else if !localapi.IsUnavailable(err) {
		return nil, nil, err // e.g. this Windows account may not read the secret
	}
	m := program.NewMain()
	m.DataDir = dataDir
	m.Embarque = true
	m.Version = xdemat.Version
	if err := m.Run(ctx); err != nil {
		return nil, nil, err
	}
	c, err := localapi.Dial(dataDir)
	if err != nil {
		m.Close()
		return nil, nil, err
	}
	return c, m, nil
}

//go:build !windows

package sysproxy

import (
	"net/url"

	"golang.org/x/net/http/httpproxy"
)

// lookup: the environment (HTTPS_PROXY, NO_PROXY), read on each call.
func lookup(hostport, host string) (string, error) {
	u, err := httpproxy.FromEnvironment().ProxyFunc()(&url.URL{Scheme: "https", Host: hostport})
	if err != nil || u == nil {
		return "", err
	}
	return u.Host, nil
}

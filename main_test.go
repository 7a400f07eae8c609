package main

import (
	"os"
	"testing"
)

// The framework's loggers get the level of the provider logs Terraform
// shows, and none when Terraform shows none.
func TestLogLevelsFromTerraform(t *testing.T) {
	tests := []struct {
		name              string
		env               map[string]string
		wantSDK, wantProv string
	}{
		{"nothing asked", nil, "OFF", "OFF"},
		{"TF_LOG", map[string]string{"TF_LOG": "DEBUG"}, "DEBUG", "DEBUG"},
		{"TF_LOG_PROVIDER over TF_LOG", map[string]string{"TF_LOG": "TRACE", "TF_LOG_PROVIDER": "INFO"}, "INFO", "INFO"},
		{"TF_LOG_SDK kept", map[string]string{"TF_LOG_SDK": "TRACE"}, "TRACE", "OFF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK"} {
				t.Setenv(v, tt.env[v])
			}
			logLevelsFromTerraform()
			if got := os.Getenv("TF_LOG_SDK"); got != tt.wantSDK {
				t.Errorf("TF_LOG_SDK = %q, want %q", got, tt.wantSDK)
			}
			if got := os.Getenv("TF_LOG_PROVIDER"); got != tt.wantProv {
				t.Errorf("TF_LOG_PROVIDER = %q, want %q", got, tt.wantProv)
			}
		})
	}
}

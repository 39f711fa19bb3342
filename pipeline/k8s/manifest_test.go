package k8s

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/serve"
)

// The parts of the manifests the tests read.
type (
	meta struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	}
	probe struct {
		HTTPGet struct {
			Path string `json:"path"`
			Port string `json:"port"`
		} `json:"httpGet"`
	}
	container struct {
		Name  string   `json:"name"`
		Image string   `json:"image"`
		Args  []string `json:"args"`
		Env   []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"env"`
		Ports []struct {
			Name          string `json:"name"`
			ContainerPort int    `json:"containerPort"`
		} `json:"ports"`
		ReadinessProbe *probe `json:"readinessProbe"`
		LivenessProbe  *probe `json:"livenessProbe"`
		VolumeMounts   []struct {
			Name      string `json:"name"`
			MountPath string `json:"mountPath"`
		} `json:"volumeMounts"`
	}
	deployment struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   meta   `json:"metadata"`
		Spec       struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			Template struct {
				Metadata struct {
					Labels      map[string]string `json:"labels"`
					Annotations map[string]string `json:"annotations"`
				} `json:"metadata"`
				Spec struct {
					InitContainers []container `json:"initContainers"`
					Containers     []container `json:"containers"`
					Volumes        []struct {
						Name string `json:"name"`
					} `json:"volumes"`
				} `json:"spec"`
			} `json:"template"`
		} `json:"spec"`
	}
	service struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   meta   `json:"metadata"`
		Spec       struct {
			Selector map[string]string `json:"selector"`
			Ports    []struct {
				Port       int    `json:"port"`
				TargetPort string `json:"targetPort"`
			} `json:"ports"`
		} `json:"spec"`
	}
	hpa struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   meta   `json:"metadata"`
		Spec       struct {
			ScaleTargetRef struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
				Name       string `json:"name"`
			} `json:"scaleTargetRef"`
			MinReplicas int `json:"minReplicas"`
			MaxReplicas int `json:"maxReplicas"`
			Metrics     []struct {
				Type string `json:"type"`
				Pods struct {
					Metric struct {
						Name string `json:"name"`
					} `json:"metric"`
					Target struct {
						Type         string `json:"type"`
						AverageValue string `json:"averageValue"`
					} `json:"target"`
				} `json:"pods"`
			} `json:"metrics"`
		} `json:"spec"`
	}
	adapterRules struct {
		Rules []struct {
			SeriesQuery string `json:"seriesQuery"`
			Name        struct {
				Matches string `json:"matches"`
				As      string `json:"as"`
			} `json:"name"`
			MetricsQuery string `json:"metricsQuery"`
		} `json:"rules"`
	}
)

// read decodes the manifest deploy/k8s/name into v (fields the structs
// above do not name are ignored).
func read(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.Root(t), "deploy", "k8s", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// subset reports whether every key of sel has the same value in labels.
func subset(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func env(c container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// The Deployment, Service and autoscaler fit together: selectors match
// the pods' labels, the Service targets the port the server listens on,
// the probes ask /readyz and /healthz on it, the autoscaler scales the
// Deployment on a Pods metric the adapter rule serves.
func TestManifests(t *testing.T) {
	var d deployment
	var s service
	var h hpa
	read(t, "deployment.yaml", &d)
	read(t, "service.yaml", &s)
	read(t, "hpa.yaml", &h)
	if d.APIVersion != "apps/v1" || d.Kind != "Deployment" {
		t.Errorf("deployment.yaml is %s %s, want apps/v1 Deployment", d.APIVersion, d.Kind)
	}
	pod := d.Spec.Template.Metadata.Labels
	if len(d.Spec.Selector.MatchLabels) == 0 || !subset(d.Spec.Selector.MatchLabels, pod) {
		t.Errorf("Deployment selector %v does not select its pods' labels %v", d.Spec.Selector.MatchLabels, pod)
	}
	if len(d.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(d.Spec.Template.Spec.Containers))
	}
	c := d.Spec.Template.Spec.Containers[0]
	if len(c.Args) == 0 || c.Args[0] != "serve" {
		t.Errorf("container args %v, want serve ...", c.Args)
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" {
		t.Fatalf("container ports %+v, want one named http", c.Ports)
	}
	port := c.Ports[0].ContainerPort
	if addr := env(c, "ALEXNET_ADDR"); !strings.HasPrefix(addr, ":") || addr != ":"+itoa(port) {
		t.Errorf("ALEXNET_ADDR %q, want :%d on every interface (serve's default listens on 127.0.0.1 only)", addr, port)
	}
	for _, p := range []struct {
		name string
		pr   *probe
		path string
	}{{"readinessProbe", c.ReadinessProbe, "/readyz"}, {"livenessProbe", c.LivenessProbe, "/healthz"}} {
		if p.pr == nil || p.pr.HTTPGet.Path != p.path || p.pr.HTTPGet.Port != "http" {
			t.Errorf("%s %+v, want GET %s on port http", p.name, p.pr, p.path)
		}
	}
	an := d.Spec.Template.Metadata.Annotations
	if an["prometheus.io/scrape"] != "true" || an["prometheus.io/port"] != itoa(port) || an["prometheus.io/path"] != "/metrics" {
		t.Errorf("pod annotations %v do not point Prometheus at :%d/metrics", an, port)
	}
	checkWeights(t, d, c)
	checkService(t, s, pod)
	checkHPA(t, h, d)
	checkKustomization(t)
}

// checkService: the Service selects the pods and targets their http port.
func checkService(t *testing.T, s service, pod map[string]string) {
	t.Helper()
	if s.APIVersion != "v1" || s.Kind != "Service" {
		t.Errorf("service.yaml is %s %s, want v1 Service", s.APIVersion, s.Kind)
	}
	if len(s.Spec.Selector) == 0 || !subset(s.Spec.Selector, pod) {
		t.Errorf("Service selector %v does not select the pods' labels %v", s.Spec.Selector, pod)
	}
	if len(s.Spec.Ports) != 1 || s.Spec.Ports[0].TargetPort != "http" {
		t.Errorf("Service ports %+v, want one with targetPort http", s.Spec.Ports)
	}
}

// checkHPA: the autoscaler scales Deployment d on a Pods metric that a
// Prometheus adapter rule serves per pod.
func checkHPA(t *testing.T, h hpa, d deployment) {
	t.Helper()
	if h.APIVersion != "autoscaling/v2" || h.Kind != "HorizontalPodAutoscaler" {
		t.Errorf("hpa.yaml is %s %s, want autoscaling/v2 HorizontalPodAutoscaler", h.APIVersion, h.Kind)
	}
	ref := h.Spec.ScaleTargetRef
	if ref.APIVersion != d.APIVersion || ref.Kind != d.Kind || ref.Name != d.Metadata.Name {
		t.Errorf("HPA scales %+v, want the Deployment %s", ref, d.Metadata.Name)
	}
	if h.Spec.MinReplicas < 1 || h.Spec.MaxReplicas < h.Spec.MinReplicas {
		t.Errorf("HPA replicas %d..%d", h.Spec.MinReplicas, h.Spec.MaxReplicas)
	}
	if len(h.Spec.Metrics) != 1 || h.Spec.Metrics[0].Type != "Pods" || h.Spec.Metrics[0].Pods.Target.Type != "AverageValue" {
		t.Fatalf("HPA metrics %+v, want one Pods metric with an AverageValue target", h.Spec.Metrics)
	}
	metric := h.Spec.Metrics[0].Pods.Metric.Name
	var cm struct {
		Kind string            `json:"kind"`
		Data map[string]string `json:"data"`
	}
	read(t, "prometheus-adapter-rules.yaml", &cm)
	var rules adapterRules
	if err := yaml.Unmarshal([]byte(cm.Data["config.yaml"]), &rules); err != nil {
		t.Fatalf("adapter rules: %v", err)
	}
	served := false
	for _, r := range rules.Rules {
		if r.Name.As == metric && strings.Contains(r.SeriesQuery, metric) && strings.Contains(r.MetricsQuery, "<<.GroupBy>>") {
			served = true
		}
	}
	if cm.Kind != "ConfigMap" || !served {
		t.Errorf("no Prometheus adapter rule serves %q per pod: %+v", metric, rules)
	}
}

// checkKustomization: kustomization.yaml lists every manifest.
func checkKustomization(t *testing.T) {
	t.Helper()
	var k struct {
		Resources []string `json:"resources"`
	}
	read(t, "kustomization.yaml", &k)
	files, _ := filepath.Glob(filepath.Join(testutil.Root(t), "deploy", "k8s", "*.yaml"))
	for _, f := range files {
		if b := filepath.Base(f); b != "kustomization.yaml" && !slices.Contains(k.Resources, b) {
			t.Errorf("kustomization.yaml does not list %s", b)
		}
	}
}

// checkWeights: the init container downloads the weights into the volume
// the server reads them from, at the path ALEXNET_WEIGHTS names.
func checkWeights(t *testing.T, d deployment, c container) {
	t.Helper()
	w := env(c, "ALEXNET_WEIGHTS")
	mounted := func(c container) string {
		for _, m := range c.VolumeMounts {
			if m.Name == "weights" {
				return m.MountPath
			}
		}
		return ""
	}
	dir := mounted(c)
	if dir == "" || filepath.Dir(w) != dir {
		t.Errorf("ALEXNET_WEIGHTS %q is not in the weights volume (mounted at %q)", w, dir)
	}
	ok := false
	for _, ic := range d.Spec.Template.Spec.InitContainers {
		if ic.Image == c.Image && strings.Join(ic.Args, " ") == "weights download --dir "+dir && mounted(ic) == dir {
			ok = true
		}
	}
	if !ok {
		t.Errorf("no init container runs `alexnet weights download --dir %s` into the weights volume", dir)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// What the manifests ask of the server holds for a real serve.Server:
// /readyz answers 200 once it is warm, /healthz 200, and /metrics
// exports the gauge the autoscaler scales on.
func TestServerAnswersTheManifests(t *testing.T) {
	var h hpa
	read(t, "hpa.yaml", &h)
	metric := h.Spec.Metrics[0].Pods.Metric.Name
	p, err := predict.Load("torchvision", testutil.NarrowWeights(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	srv := serve.New(p, nil)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, path := range []string{"/readyz", "/healthz"} {
		if code, _ := get(path); code != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", path, code)
		}
	}
	code, body := get("/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", code)
	}
	if !regexp.MustCompile(`(?m)^# TYPE ` + regexp.QuoteMeta(metric) + ` gauge$`).MatchString(body) {
		t.Errorf("/metrics has no gauge %s, which hpa.yaml scales on", metric)
	}
}

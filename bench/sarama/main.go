// The sarama baseline (Go, IBM/sarama): a ConsumerGroup whose handler counts records and value bytes until it has
// seen RECORDS, then closes. Classic group protocol, oldest offset for a fresh group, no commits; defaults otherwise.
//
//	sarama-bench BOOTSTRAP TOPIC RECORDS GROUP_ID [throughput|latency]
//
// Prints one `RESULT {json}` line in the harness's client format (see bench/clients/common.js).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/IBM/sarama"
)

func cpuMs() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return (ru.Utime.Nano() + ru.Stime.Nano()) / 1e6
}

func nowMs() int64 { return time.Now().UnixMilli() }

type handler struct {
	target     int64
	latency    bool
	count      atomic.Int64
	bytes      atomic.Int64
	assignedMs atomic.Int64
	cpuAtStart atomic.Int64
	firstMs    atomic.Int64
	lastMs     atomic.Int64
	cpuAtLast  atomic.Int64
	mu         sync.Mutex
	lat        []int64
	done       chan struct{}
	once       sync.Once
}

func (h *handler) Setup(s sarama.ConsumerGroupSession) error {
	if len(s.Claims()) > 0 && h.assignedMs.Load() == 0 {
		h.cpuAtStart.Store(cpuMs())
		h.assignedMs.Store(nowMs())
	}
	return nil
}

func (h *handler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (h *handler) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	var local []int64
	defer func() {
		if len(local) > 0 {
			h.mu.Lock()
			h.lat = append(h.lat, local...)
			h.mu.Unlock()
		}
	}()
	for m := range claim.Messages() {
		if h.firstMs.Load() == 0 {
			h.firstMs.CompareAndSwap(0, nowMs())
		}
		h.bytes.Add(int64(len(m.Value)))
		if h.latency {
			now := nowMs()
			ts := m.Timestamp.UnixMilli()
			if ts >= h.firstMs.Load() {
				local = append(local, now-ts)
			}
		}
		if h.count.Add(1) == h.target {
			h.lastMs.Store(nowMs())
			h.cpuAtLast.Store(cpuMs())
			h.once.Do(func() { close(h.done) })
		}
	}
	return nil
}

func main() {
	startMs := nowMs()
	if len(os.Args) < 5 {
		log.Fatal("usage: sarama-bench BOOTSTRAP TOPIC RECORDS GROUP_ID [throughput|latency]")
	}
	brokers := strings.Split(os.Args[1], ",")
	topic := os.Args[2]
	records, _ := strconv.ParseInt(os.Args[3], 10, 64)
	groupID := os.Args[4]
	latency := len(os.Args) > 5 && os.Args[5] == "latency"

	config := sarama.NewConfig()
	config.ClientID = "bench-sarama"
	config.Version = sarama.V3_6_0_0
	config.Consumer.Offsets.Initial = sarama.OffsetOldest
	config.Consumer.Offsets.AutoCommit.Enable = false
	config.Consumer.Return.Errors = true

	group, err := sarama.NewConsumerGroup(brokers, groupID, config)
	if err != nil {
		log.Fatalf("consumer group: %v", err)
	}
	go func() {
		for e := range group.Errors() {
			log.Printf("sarama error: %v", e)
		}
	}()
	h := &handler{target: records, latency: latency, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for ctx.Err() == nil {
			if err := group.Consume(ctx, []string{topic}, h); err != nil {
				log.Printf("consume: %v", err)
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()
	<-h.done
	closeStart := nowMs()
	cancel()
	if err := group.Close(); err != nil {
		log.Printf("close: %v", err)
	}
	h.mu.Lock()
	lat := append([]int64(nil), h.lat...)
	h.mu.Unlock()
	from := h.assignedMs.Load()
	cpuFrom := h.cpuAtStart.Load()
	if from == 0 {
		from = h.firstMs.Load()
	}
	out := map[string]any{
		"count": h.count.Load(), "bytes": h.bytes.Load(), "startMs": startMs, "assignedMs": h.assignedMs.Load(),
		"firstMs": h.firstMs.Load(), "lastMs": h.lastMs.Load(), "windowCpuMs": h.cpuAtLast.Load() - cpuFrom,
		"closeMs": nowMs() - closeStart,
	}
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		n := len(lat)
		out["latencySamples"] = n
		out["p50Ms"] = lat[min(n-1, n*50/100)]
		out["p99Ms"] = lat[min(n-1, n*99/100)]
		out["maxMs"] = lat[n-1]
	}
	b, _ := json.Marshal(out)
	fmt.Printf("RESULT %s\n", b)
}

// The franz-go baseline (Go, twmb/franz-go pkg/kgo): a group consumer read with a PollFetches loop, the way
// franz-go's own examples/bench consumes, counting records and value bytes until it has seen RECORDS, then closes.
// Classic group protocol (kgo's default), oldest offset for a fresh group, no commits (DisableAutoCommit). Fetch
// settings are kgo's defaults (FetchMaxBytes 50 MiB, FetchMaxPartitionBytes 1 MiB, FetchMinBytes 1,
// MaxConcurrentFetches unbounded: one fetch buffered per broker while the application processes the previous one)
// except FetchMaxWait 500 ms (Java's fetch.max.wait.ms and librdkafka's fetch.wait.max.ms) instead of kgo's 5 s:
// with 5 s the latency scenario's p50 was 131 and 988 ms in two quick runs, with 500 ms 6 ms; with a backlog the
// wait never applies. See bench/README.md "Peers and how each is configured".
//
//	franz-go-bench BOOTSTRAP TOPIC RECORDS GROUP_ID [throughput|latency]
//
// Prints one `RESULT {json}` line in the harness's client format (see bench/clients/common.js), with the same
// counting as bench/sarama/main.go.
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
	"sync/atomic"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func cpuMs() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return (ru.Utime.Nano() + ru.Stime.Nano()) / 1e6
}

func nowMs() int64 { return time.Now().UnixMilli() }

func main() {
	startMs := nowMs()
	if len(os.Args) < 5 {
		log.Fatal("usage: franz-go-bench BOOTSTRAP TOPIC RECORDS GROUP_ID [throughput|latency]")
	}
	brokers := strings.Split(os.Args[1], ",")
	topic := os.Args[2]
	records, _ := strconv.ParseInt(os.Args[3], 10, 64)
	groupID := os.Args[4]
	latency := len(os.Args) > 5 && os.Args[5] == "latency"

	// Written by the group's callback goroutine, read by the poll loop.
	var assignedMs, cpuAtStart atomic.Int64
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(brokers...),
		kgo.ClientID("bench-franz-go"),
		kgo.ConsumerGroup(groupID),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.FetchMaxWait(500*time.Millisecond),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, assigned map[string][]int32) {
			if len(assigned[topic]) > 0 && assignedMs.Load() == 0 {
				cpuAtStart.Store(cpuMs())
				assignedMs.Store(nowMs())
			}
		}),
	)
	if err != nil {
		log.Fatalf("client: %v", err)
	}

	var count, bytes, firstMs, lastMs, cpuAtLast int64
	var lat []int64
	ctx := context.Background()
poll:
	for {
		fetches := cl.PollFetches(ctx)
		if fetches.IsClientClosed() {
			break
		}
		fetches.EachError(func(t string, p int32, err error) { log.Printf("fetch error %s[%d]: %v", t, p, err) })
		iter := fetches.RecordIter()
		for !iter.Done() {
			r := iter.Next()
			if firstMs == 0 {
				firstMs = nowMs()
			}
			bytes += int64(len(r.Value))
			if latency {
				now := nowMs()
				ts := r.Timestamp.UnixMilli()
				if ts >= firstMs {
					lat = append(lat, now-ts)
				}
			}
			count++
			if count == records {
				lastMs = nowMs()
				cpuAtLast = cpuMs()
				break poll
			}
		}
	}
	closeStart := nowMs()
	cl.Close() // leaves the group
	cpuFrom := cpuAtStart.Load()
	out := map[string]any{
		"count": count, "bytes": bytes, "startMs": startMs, "assignedMs": assignedMs.Load(),
		"firstMs": firstMs, "lastMs": lastMs, "windowCpuMs": cpuAtLast - cpuFrom,
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

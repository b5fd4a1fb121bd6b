/* pcapread - the baseline: a bare libpcap read loop that touches each byte. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *p = argc > 1 ? pcap_open_offline(argv[1], eb) : NULL;
	if (!p) {
		fprintf(stderr, "usage: pcapread FILE (%s)\n", argc > 1 ? eb : "");
		return 2;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long n = 0, sum = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		for (bpf_u_int32 i = 0; i < h->caplen; i++)
			sum += d[i];
	}
	printf("%lu packets (checksum %lu)\n", n, sum);
	pcap_close(p);
	return 0;
}

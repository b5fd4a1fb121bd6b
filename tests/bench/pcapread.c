/* pcapread - the baseline: a bare libpcap read loop that touches each byte.
 * The file is read through a 128 KiB stream buffer, as dnsblame reads it
 * (capture/source.c), so that the two read the file the same way. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#define IOBUF (128 * 1024)

int main(int argc, char **argv)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	static char buf[IOBUF];
	FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
	if (f)
		setvbuf(f, buf, _IOFBF, sizeof(buf));
	pcap_t *p = f ? pcap_fopen_offline(f, eb) : NULL;
	if (!p) {
		fprintf(stderr, "usage: pcapread FILE (%s)\n",
			argc > 1 ? (f ? eb : "cannot open") : "");
		if (f)
			fclose(f);
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

"""SMS over SMPP 3.4 (smpplib): a bound transmitter session to the operator's SMSC, kept between messages.

Each message is one submit_sm per part: GSM-7 (data_coding 0) when the text allows, UCS-2 (data_coding 8)
otherwise; a long text is split with a concatenation header (UDH, esm_class 0x40). The SMSC's message
ids of the parts, comma-separated, are the provider id. A session the SMSC dropped while idle is bound
again once before the message counts as failed.
"""

from __future__ import annotations

import threading

from smpplib import consts, exceptions, gsm, smpp
from smpplib.client import Client

from notification.channels import DeliveryError, Outgoing, international
from notification.settings import SmppSettings

# Worth another try later: the SMSC is busy, throttles us, or failed on its side.
TRANSIENT_STATUS = frozenset({consts.SMPP_ESME_RSYSERR, consts.SMPP_ESME_RMSGQFUL, consts.SMPP_ESME_RTHROTTLED,
                              consts.SMPP_ESME_RX_T_APPN, consts.SMPP_ESME_RUNKNOWNERR})


class SmppChannel:
    name = "sms"
    contact = "phone"

    def __init__(self, settings: SmppSettings) -> None:
        self.settings = settings
        self.provider = settings.provider
        self._client: Client | None = None
        self._lock = threading.Lock()

    def send(self, message: Outgoing) -> str:
        with self._lock:
            try:
                return self._submit(message)
            except (exceptions.ConnectionError, OSError):
                self._close()  # a session the SMSC dropped while idle: bind again, once
            try:
                return self._submit(message)
            except (exceptions.ConnectionError, OSError) as error:
                self._close()
                raise DeliveryError(f"SMSC {self.settings.host}:{self.settings.port}: {error!r}",
                                    permanent=False) from error

    def _session(self) -> Client:
        if self._client is None:
            client = Client(self.settings.host, self.settings.port, timeout=self.settings.timeout,
                            allow_unknown_opt_params=True)
            client.connect()
            try:
                client.bind_transmitter(system_id=self.settings.system_id, password=self.settings.password,
                                        system_type=self.settings.system_type)
            except exceptions.PDUError as error:
                client.disconnect()
                raise DeliveryError(f"bind refused: {error}", permanent=False) from error
            self._client = client
        return self._client

    def _submit(self, message: Outgoing) -> str:
        client = self._session()
        parts, data_coding, esm_class = gsm.make_parts(message.content.text)
        ids = []
        for part in parts:
            sent = client.send_message(
                source_addr_ton=consts.SMPP_TON_ALNUM, source_addr_npi=consts.SMPP_NPI_UNK,
                source_addr=self.settings.source_addr, dest_addr_ton=consts.SMPP_TON_INTL,
                dest_addr_npi=consts.SMPP_NPI_ISDN, destination_addr=international(message.to), short_message=part,
                data_coding=data_coding, esm_class=esm_class, registered_delivery=0)
            ids.append(self._answer(client, sent.sequence))
        return ",".join(ids)

    @staticmethod
    def _answer(client: Client, sequence: int) -> str:
        """The SMSC's message id from the submit_sm_resp to `sequence`, answering its enquire_links meanwhile."""
        while True:
            try:
                pdu = client.read_pdu()
            except TimeoutError as error:
                raise exceptions.ConnectionError("no submit_sm_resp in time") from error
            if pdu.command == "enquire_link":
                answer = smpp.make_pdu("enquire_link_resp", client=client)
                answer.sequence = pdu.sequence
                client.send_pdu(answer)
                continue
            if pdu.command != "submit_sm_resp" or pdu.sequence != sequence:
                continue
            if pdu.status:
                description = consts.DESCRIPTIONS.get(pdu.status, "unknown status")
                raise DeliveryError(f"SMPP status 0x{pdu.status:02X}: {description}",
                                    permanent=pdu.status not in TRANSIENT_STATUS)
            raw = pdu.message_id
            return raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw or "")

    def _close(self) -> None:
        if self._client is not None:
            try:
                self._client.disconnect()
            except OSError:
                pass  # the socket is gone already
            self._client = None


"""A buyer's answer to a request for information: the answer step, the end-user certificate status and an
attached certificate, stored together or not at all, with the coordinators' notice in the outbox.
"""

from django.db import transaction

from interests.models import EndUserCertificate, ExpressionOfInterest
from interests.notifications import notify_answered


def answer_request(
    *, interest, by, comment: str, certificate_status: str = "", certificate_file=None, request=None
):
    """Answer the open request for information of `interest` and return the history row.

    `certificate_status` (an ExpressionOfInterest.CertificateStatus, or "" to leave it) replaces the EOI's
    end-user certificate status; `certificate_file`, an uploaded PDF already checked by the form, is stored
    as an EndUserCertificate of the answer. Raises ValidationError, with nothing stored, when the EOI has no
    request to answer (ExpressionOfInterest.answer()).
    """
    certificate = None
    try:
        with transaction.atomic():
            change = interest.answer(by=by, comment=comment, request=request)
            if certificate_status and certificate_status != interest.end_user_certificate:
                ExpressionOfInterest.objects.filter(pk=interest.pk).update(
                    end_user_certificate=certificate_status
                )
                interest.end_user_certificate = certificate_status
            if certificate_file is not None:
                certificate = EndUserCertificate(
                    interest=interest,
                    answer=change,
                    file=certificate_file,
                    original_filename=certificate_file.name[-255:],
                    uploaded_by=by,
                )
                certificate.save()
            notify_answered(interest, change, request)
    except BaseException:
        # The transaction took the rows back; the file written to storage is no longer anyone's.
        if certificate is not None and certificate.file._committed:
            certificate.file.storage.delete(certificate.file.name)
        raise
    return change

"""Breakout group pages, the plenary space, threads and their comments, and moderation."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consultations import breakouts, discussion
from consultations.forms import CommentForm, ReasonForm, StatusForm, ThreadForm, text
from consultations.markup import render_comment
from consultations.models import BreakoutGroup, Comment, Thread
from consultations.views import blueprint
from portal import permissions
from portal.page_access import load_consultation, load_within, require
from portal.rate_limits import limited


def _thread_url(comment_or_thread, **anchor) -> str:
    thread = getattr(comment_or_thread, "thread", comment_or_thread)
    return url_for("consultations.thread", slug=thread.consultation.slug, thread_id=thread.id,
                   **anchor)


@blueprint.get("/c/<slug>/groups/<int:group_id>")
@login_required
def breakout_group(slug, group_id):
    consultation = load_consultation(slug)
    group = load_within(consultation, BreakoutGroup, group_id)
    require(permissions.may_read_breakout(current_user, group))
    threads = discussion.threads_of(consultation, group)
    members = breakouts.members_of(group)
    return render_template(
        "consultations/discussion/group.html", consultation=consultation, group=group,
        threads=threads, counts=discussion.comment_counts(threads), members=members,
        show_names=permissions.may_see_author_names(current_user, consultation),
        form=ThreadForm(), label_of=discussion.registration_label)


@blueprint.get("/c/<slug>/plenary")
@login_required
def plenary(slug):
    consultation = load_consultation(slug)
    require(permissions.may_read_discussions(current_user, consultation))
    discussion.plenary_thread(consultation)
    threads = discussion.threads_of(consultation, None)
    return render_template("consultations/discussion/plenary.html", consultation=consultation,
                           threads=threads, counts=discussion.comment_counts(threads),
                           form=ThreadForm())


@blueprint.post("/c/<slug>/threads")
@login_required
@limited("RATE_LIMIT_COMMENTS")
def add_thread(slug):
    consultation = load_consultation(slug)
    require(permissions.may_moderate(current_user, consultation))
    group_id = request.form.get("group", type=int)
    group = load_within(consultation, BreakoutGroup, group_id) if group_id else None
    form = ThreadForm()
    if form.validate_on_submit():
        thread = discussion.add_thread(consultation, current_user, text(form.title), group)
        return redirect(_thread_url(thread))
    flash(_("Give the thread a title."), "error")
    if group:
        return redirect(url_for("consultations.breakout_group", slug=slug, group_id=group.id))
    return redirect(url_for("consultations.plenary", slug=slug))


@blueprint.get("/c/<slug>/threads/<int:thread_id>")
@login_required
def thread(slug, thread_id):
    consultation = load_consultation(slug)
    thread = load_within(consultation, Thread, thread_id)
    require(permissions.may_read_thread(current_user, thread))
    return _render_thread(consultation, thread, CommentForm())


def _render_thread(consultation, thread, form, status=200):
    comments = discussion.comments_for_page(thread)
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
    show_names = permissions.may_see_author_names(current_user, consultation)
    return render_template(
        "consultations/discussion/thread.html", consultation=consultation, thread=thread,
        top_level=[comment for comment in comments if comment.parent_id is None],
        replies=replies, form=form, show_names=show_names,
        may_write=permissions.may_write_in_thread(current_user, thread),
        may_flag=permissions.may_flag_in_thread(current_user, thread),
        may_moderate=permissions.may_moderate(current_user, consultation),
        author_label=discussion.author_label, render_comment=render_comment,
        action_form=StatusForm(), reason_form=ReasonForm(),
    ), status


@blueprint.post("/c/<slug>/threads/<int:thread_id>/comments")
@login_required
@limited("RATE_LIMIT_COMMENTS")
def post_comment(slug, thread_id):
    consultation = load_consultation(slug)
    thread = load_within(consultation, Thread, thread_id)
    require(permissions.may_write_in_thread(current_user, thread))
    form = CommentForm()
    if form.validate_on_submit():
        parent = load_within(consultation, Comment, form.parent.data) if form.parent.data else None
        try:
            comment = discussion.post_comment(thread, current_user, form.body.data, parent)
        except discussion.CommentRefused as refusal:
            form.body.errors.append(refusal.reason)
        else:
            flash(_("Your comment is posted."), "success")
            return redirect(_thread_url(comment, _anchor=f"comment-{comment.id}"))
    # Not stored: the page says why and keeps the text.
    return _render_thread(consultation, thread, form, status=400)


@blueprint.route("/c/<slug>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
@limited("RATE_LIMIT_COMMENTS")
def edit_comment(slug, comment_id):
    consultation = load_consultation(slug)
    comment = load_within(consultation, Comment, comment_id)
    require(permissions.may_edit_comment(current_user, comment))
    form = CommentForm(data={"body": comment.body} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            discussion.edit_comment(comment, current_user, form.body.data)
        except discussion.CommentRefused as refusal:
            form.body.errors.append(refusal.reason)
        else:
            flash(_("Your comment is saved."), "success")
            return redirect(_thread_url(comment, _anchor=f"comment-{comment.id}"))
    return render_template("consultations/discussion/edit_comment.html",
                           consultation=consultation, comment=comment, form=form)


@blueprint.post("/c/<slug>/comments/<int:comment_id>/delete")
@login_required
def delete_comment(slug, comment_id):
    consultation = load_consultation(slug)
    comment = load_within(consultation, Comment, comment_id)
    require(permissions.may_delete_comment(current_user, comment))
    if StatusForm().validate_on_submit():
        discussion.delete_comment(comment, current_user)
        flash(_("Your comment is deleted."), "success")
    return redirect(_thread_url(comment))


@blueprint.post("/c/<slug>/comments/<int:comment_id>/hide")
@login_required
def hide_comment(slug, comment_id):
    consultation = load_consultation(slug)
    comment = load_within(consultation, Comment, comment_id)
    require(permissions.may_moderate(current_user, consultation))
    form = ReasonForm()
    try:
        if not form.validate_on_submit():
            raise discussion.CommentRefused(_("Say why the comment is hidden."))
        discussion.hide_comment(comment, current_user, form.reason.data)
    except discussion.CommentRefused as refusal:
        flash(refusal.reason, "error")
    else:
        flash(_("The comment is hidden."), "success")
    if request.form.get("back") == "moderation":
        return redirect(url_for("consultations.moderation", slug=slug))
    return redirect(_thread_url(comment))


@blueprint.post("/c/<slug>/comments/<int:comment_id>/restore")
@login_required
def restore_comment(slug, comment_id):
    consultation = load_consultation(slug)
    comment = load_within(consultation, Comment, comment_id)
    require(permissions.may_moderate(current_user, consultation))
    if StatusForm().validate_on_submit():
        discussion.restore_comment(comment, current_user)
        flash(_("The comment is shown again."), "success")
    return redirect(_thread_url(comment))


@blueprint.post("/c/<slug>/comments/<int:comment_id>/flag")
@login_required
def flag_comment(slug, comment_id):
    consultation = load_consultation(slug)
    comment = load_within(consultation, Comment, comment_id)
    require(permissions.may_flag_comment(current_user, comment))
    form = ReasonForm()
    try:
        if not form.validate_on_submit():
            raise discussion.CommentRefused(_("Say what is wrong with the comment."))
        discussion.flag_comment(comment, current_user, form.reason.data)
    except discussion.CommentRefused as refusal:
        flash(refusal.reason, "error")
    else:
        flash(_("Thank you: the facilitators will look at this comment."), "success")
    return redirect(_thread_url(comment, _anchor=f"comment-{comment.id}"))


@blueprint.get("/c/<slug>/moderation")
@login_required
def moderation(slug):
    consultation = load_consultation(slug)
    require(permissions.may_moderate(current_user, consultation))
    return render_template("consultations/discussion/moderation.html",
                           consultation=consultation,
                           queue=discussion.moderation_queue(consultation),
                           reason_form=ReasonForm(), action_form=StatusForm(),
                           author_label=discussion.author_label, render_comment=render_comment)


@blueprint.post("/c/<slug>/comments/<int:comment_id>/dismiss-flags")
@login_required
def dismiss_flags(slug, comment_id):
    consultation = load_consultation(slug)
    comment = load_within(consultation, Comment, comment_id)
    require(permissions.may_moderate(current_user, consultation))
    if StatusForm().validate_on_submit():
        discussion.dismiss_flags(comment, current_user)
        flash(_("The comment stands; the flags are closed."), "success")
    return redirect(url_for("consultations.moderation", slug=slug))

FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY influence_db ./influence_db
RUN pip install --no-cache-dir .

COPY . .
# The build has no secrets; a throwaway key lets collectstatic import the settings.
RUN DEBUG=False SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py load_corpus && gunicorn influence_db.wsgi --bind 0.0.0.0:8000 --workers 3"]
